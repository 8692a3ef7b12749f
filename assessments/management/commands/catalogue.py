"""``catalogue load FILE`` stores a catalogue version; ``catalogue export`` prints one as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, ProgrammingError

from assessments.catalogue import (
    CatalogueError,
    catalogue_data_for_cli,
    catalogue_text,
    catalogue_warnings,
    export_data,
    load_catalogue,
    parse_catalogue,
)


class Command(BaseCommand):
    # A data tool: skip the system checks so stdout/stderr carry only its own output.
    requires_system_checks = []
    help = "Load a question catalogue from YAML, or export the active one as JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="Load a catalogue YAML file into the database.")
        load.add_argument("file", help="Path of the catalogue YAML file.")
        export = actions.add_parser("export", help="Print a catalogue as JSON.")
        export.add_argument(
            "--version",
            dest="catalogue_version",
            default=None,
            help="Catalogue version to export (default: the active one).",
        )

    def handle(self, *args, **options):
        if options["action"] == "load":
            self.load(options["file"])
        else:
            self.export(options["catalogue_version"])

    def load(self, file: str) -> None:
        try:
            text = catalogue_text(file)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        try:
            catalogue, written = load_catalogue(text=text)
        except CatalogueError as exc:
            raise CommandError(f"{file}: {exc}") from None
        except (OperationalError, ProgrammingError):
            raise CommandError(
                "the database is not set up; run `python manage.py migrate` first"
            ) from None
        # Valid but unfit for method 2: said on stderr, the version is loaded all the same.
        for warning in catalogue_warnings(parse_catalogue(text)):
            self.stderr.write(f"warning: {warning}")
        name = f"{catalogue.slug} {catalogue.version}"
        if written:
            count = catalogue.questions.count()
            self.stdout.write(f"Loaded {name} ({count} questions)")
        else:
            self.stdout.write(f"{name} is already loaded, unchanged")

    def export(self, version: str | None) -> None:
        try:
            data = catalogue_data_for_cli(version=version)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(export_data(data), ensure_ascii=False, indent=2))
