"""``export_results ASSESSMENT_ID KIND --format csv|xlsx|json [--lang de|en] [--output FILE]``:
the answers or section results of a closed assessment as CSV/XLSX, or its snapshot as
JSON. Writes to FILE, or to standard output for CSV and JSON."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from reports import exports

from .render_report import check_lang, find_snapshot


class Command(BaseCommand):
    help = "Export the answers, the section results or the snapshot of a closed assessment."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("kind", help="answers, sections or snapshot")
        parser.add_argument("--format", dest="fmt", default=None, help="csv, xlsx or json")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, help="de or en")
        parser.add_argument("--output", default=None, help="file to write (default: stdout)")

    def handle(self, *args, assessment_id, kind, fmt, lang, output, **options):
        if kind not in exports.KINDS:
            raise CommandError(f"Unknown kind {kind!r}: use {', '.join(exports.KINDS)}.")
        fmt = fmt or exports.KINDS[kind][0]
        if fmt not in exports.KINDS[kind]:
            raise CommandError(
                f"{kind} can be exported as {', '.join(exports.KINDS[kind])}, not {fmt!r}."
            )
        lang = check_lang(lang)
        if fmt == "xlsx" and not output:
            raise CommandError("XLSX is binary: give --output FILE.xlsx.")
        assessment, snapshot = find_snapshot(assessment_id)
        with scope(organisation=assessment.organisation):
            export = exports.build_export(snapshot=snapshot, kind=kind, fmt=fmt, lang=lang)
        if output:
            try:
                with open(output, "wb") as handle:
                    handle.write(export.data)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            self.stderr.write(f"Wrote {output} ({len(export.data)} bytes).")
        else:
            self.stdout.write(export.data.decode("utf-8"), ending="")
