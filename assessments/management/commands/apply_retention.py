"""``apply_retention``: erase respondents' answers and personal data of every closed
assessment whose organisation's retention period has passed since the close.

Run it once a day (cron, a systemd timer, or the worker's periodic job); it is safe to run
any number of times. ``--enqueue`` hands the work to the background worker instead.
"""

from django.core.management.base import BaseCommand

from assessments import data_control
from assessments.tasks import apply_retention_task


class Command(BaseCommand):
    help = "Erase respondents' data of closed assessments past their organisation's retention."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the background worker (db_worker) instead of doing it now.",
        )

    def handle(self, *args, enqueue=False, verbosity=1, **options):
        if enqueue:
            result = apply_retention_task.enqueue()
            if verbosity:
                self.stdout.write(f"Queued retention task {result.id}.")
            return
        events = data_control.apply_retention()
        if not verbosity:
            return
        for event in events:
            counts = event.counts
            self.stdout.write(
                f"{event.organisation.slug}: assessment {event.assessment_ref}: "
                f"{counts['assessments.respondent']} respondents, "
                f"{counts['assessments.answer']} answers erased"
            )
        self.stdout.write(f"Retention applied: {len(events)} assessment(s) changed.")
