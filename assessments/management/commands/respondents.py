"""``manage.py respondents import ASSESSMENT_ID FILE [--print-links] [--no-invite]``: add
respondents without accounts from a CSV or XLSX file, with the checks of the upload page."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from assessments import engagement
from assessments.models import Assessment


class Command(BaseCommand):
    help = "Import respondents (name, email, perspective, language) into an assessment."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Add respondents from a .csv or .xlsx file.")
        imp.add_argument("assessment_id", type=int)
        imp.add_argument("file")
        imp.add_argument("--print-links", action="store_true", help="Print each personal link.")
        imp.add_argument(
            "--no-invite", action="store_true", help="Add them without sending invitations."
        )

    def handle(self, *args, action, assessment_id, file, print_links, no_invite, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        with scopes_disabled():
            assessment = (
                Assessment.objects.select_related("organisation").filter(pk=assessment_id).first()
            )
        if assessment is None:
            raise CommandError(f"No assessment {assessment_id}.")
        if path.stat().st_size > engagement.MAX_UPLOAD_BYTES:
            # Checked before reading, like the upload page.
            raise CommandError(
                f"{file}: {path.stat().st_size / 1024 / 1024:.1f} MB; at most "
                f"{engagement.MAX_UPLOAD_BYTES // 1024 // 1024} MB are accepted."
            )
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        with scope(organisation=assessment.organisation):
            result = engagement.parse_upload(upload, assessment=assessment)
            if result.errors:
                raise CommandError("Nothing imported.\n" + "\n".join(result.errors))
            try:
                created = engagement.add_respondents(
                    assessment=assessment, rows=result.rows, invite=not no_invite
                )
            except ValidationError as error:
                raise CommandError("Nothing imported.\n" + "\n".join(error.messages)) from None
            self.stdout.write(f"{len(created)} respondent(s) added to “{assessment.title}”.")
            if print_links:
                for respondent in created:
                    link = engagement.personal_link(
                        respondent, org_slug=assessment.organisation.slug
                    )
                    self.stdout.write(f"{respondent.email}\t{link}")
