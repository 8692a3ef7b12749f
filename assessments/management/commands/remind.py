"""Queue the due reminders and the failed mails due for another try. ``make run`` runs this
every few minutes beside the worker; cron or a systemd timer can do the same."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import engagement


class Command(BaseCommand):
    help = "Send the reminders that are due and retry failed respondent mails."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Act as if it were this time (ISO 8601, e.g. 2026-12-01T09:00), for trials.",
        )

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not a date and time (ISO 8601).") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        done = engagement.send_due_reminders(now=moment)
        if options["verbosity"]:
            self.stdout.write(
                f"{done['reminders']} reminder(s) queued, {done['retries']} mail(s) retried."
            )
