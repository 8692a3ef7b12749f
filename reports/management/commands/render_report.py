"""``render_report ASSESSMENT_ID --lang de|en --output FILE.pdf [--answers]``: render the PDF
report of a closed assessment synchronously, in this process (which starts its own chart
browser when charts are not cached yet)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment
from reports import selectors, services, svg


def find_snapshot(assessment_id):
    """The assessment (looked up by its global id) and its snapshot, or CommandError."""
    with scopes_disabled():
        assessment = (
            Assessment.objects.select_related("organisation").filter(pk=assessment_id).first()
        )
    if assessment is None:
        raise CommandError(f"There is no assessment with id {assessment_id}.")
    with scope(organisation=assessment.organisation):
        snapshot = selectors.snapshot_of(assessment=assessment)
    if snapshot is None:
        raise CommandError(
            f"Assessment {assessment_id} (“{assessment.title}”) has no stored result yet: "
            "close it first."
        )
    return assessment, snapshot


def check_lang(lang: str) -> str:
    if lang not in ("de", "en"):
        raise CommandError(f"Unknown language {lang!r}: use de or en.")
    return lang


class Command(BaseCommand):
    help = "Render the PDF report of a closed assessment."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, help="de or en")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument(
            "--answers", action="store_true", help="add the appendix with every answer"
        )

    def handle(self, *args, assessment_id, lang, output, answers, **options):
        lang = check_lang(lang)
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        assessment, snapshot = find_snapshot(assessment_id)
        try:
            with scope(organisation=assessment.organisation):
                data = services.report_pdf(snapshot=snapshot, lang=lang, answers=answers)
        except (svg.ChromiumMissing, svg.ExportFailed) as error:
            raise CommandError(str(error)) from None
        finally:
            svg.shutdown()
        try:
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {target} ({len(data) // 1024} KB, {lang}).")
