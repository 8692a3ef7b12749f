"""``score FILE``: score a JSON answers file with the active catalogue, print JSON.

Input (SCORING.md)::

    {"target_stage": 3,
     "respondents": [{"perspective": "business", "answers": {"AL-01": 3, "AL-02": null}}],
     "consensus": {"AL-01": 2}}

Every invalid input ends with a one-line message on stderr and exit status 1.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import scoring
from assessments.catalogue import CatalogueError, catalogue_data_for_cli, spec_from_data

TOP_LEVEL_KEYS = ("respondents", "consensus", "target_stage")
RESPONDENT_KEYS = ("perspective", "answers")
# object > respondents list > respondent object > answers object: nothing deeper is valid.
MAX_DEPTH = 4


class InputError(ValueError):
    pass


def _type_name(value) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    data: dict = {}
    for key, value in pairs:
        if key in data:
            raise InputError(f"duplicate key {key!r}")
        data[key] = value
    return data


def nesting_depth_exceeds(text: str, limit: int) -> tuple[int, int] | None:
    """(line, column) of the first bracket that opens level ``limit + 1``, outside
    strings, or None. Checked before parsing, so a deep document never reaches the JSON
    parser's recursion."""
    depth = 0
    in_string = escaped = False
    line, column = 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line, column
        elif char in "]}":
            depth -= 1
    return None


def parse_input(text: str) -> tuple[list[scoring.ResponseSet], dict | None, object]:
    """Check the shape of an answers document; values are checked by scoring.score."""
    too_deep = nesting_depth_exceeds(text, MAX_DEPTH)
    if too_deep is not None:
        raise InputError(
            f"nesting deeper than the format allows ({MAX_DEPTH} levels) at line "
            f"{too_deep[0]}, column {too_deep[1]}"
        )
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except InputError:
        raise
    except ValueError:  # e.g. an integer with more digits than Python converts
        raise InputError("malformed JSON: a number is too long to read") from None
    if not isinstance(data, dict):
        raise InputError(f"top level: expected a JSON object, got {_type_name(data)}")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise InputError(
                f"unknown top-level key {key!r} (allowed: {', '.join(TOP_LEVEL_KEYS)})"
            )
    if "respondents" not in data:
        raise InputError("respondents: missing; one or more respondents are required")
    raw_respondents = data["respondents"]
    if not isinstance(raw_respondents, list):
        raise InputError(f"respondents: expected a list, got {_type_name(raw_respondents)}")
    if not raw_respondents:
        raise InputError("respondents: empty; one or more respondents are required")
    respondents = []
    for index, raw in enumerate(raw_respondents):
        where = f"respondents[{index}]"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected an object, got {_type_name(raw)}")
        for key in raw:
            if key not in RESPONDENT_KEYS:
                raise InputError(
                    f"{where}: unknown key {key!r} (allowed: {', '.join(RESPONDENT_KEYS)})"
                )
        if "perspective" not in raw:
            raise InputError(f"{where}.perspective: missing")
        perspective = raw["perspective"]
        if perspective not in scoring.PERSPECTIVES:
            raise InputError(
                f"{where}.perspective: unknown perspective {perspective!r} "
                f"(expected one of {', '.join(scoring.PERSPECTIVES)})"
            )
        if "answers" not in raw:
            raise InputError(f"{where}.answers: missing")
        answers = raw["answers"]
        if not isinstance(answers, dict):
            raise InputError(f"{where}.answers: expected an object, got {_type_name(answers)}")
        respondents.append(scoring.ResponseSet(perspective=perspective, answers=answers))
    consensus = data.get("consensus")
    if consensus is not None and not isinstance(consensus, dict):
        raise InputError(f"consensus: expected an object, got {_type_name(consensus)}")
    return respondents, consensus, data.get("target_stage")


class Command(BaseCommand):
    # A data tool: skip the system checks so stdout/stderr carry only its own output.
    requires_system_checks = []
    help = "Score a JSON answers file (or - for stdin) and print the result as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON answers file, or - for stdin.")
        parser.add_argument(
            "--catalogue",
            dest="catalogue_file",
            default=None,
            help="Score against this catalogue YAML file instead of the active catalogue.",
        )

    def handle(self, *args, **options):
        file = options["file"]
        name = "<stdin>" if file == "-" else file
        text = self.read(file, name)
        try:
            respondents, consensus, target_stage = parse_input(text)
        except InputError as exc:
            raise CommandError(f"{name}: {exc}") from None
        try:
            data = catalogue_data_for_cli(path=options["catalogue_file"])
        except CatalogueError as exc:
            raise CommandError(f"catalogue: {exc}") from None
        try:
            result = scoring.score(
                spec_from_data(data),
                respondents,
                consensus=consensus,
                target_stage=target_stage,
            )
        except scoring.ScoringError as exc:
            raise CommandError(f"{name}: {exc}") from None
        self.stdout.write(json.dumps(scoring.round_result(result), ensure_ascii=False, indent=2))

    @staticmethod
    def read(file: str, name: str) -> str:
        try:
            if file == "-":
                stream = getattr(sys.stdin, "buffer", None)
                raw = stream.read() if stream is not None else sys.stdin.read()
            else:
                raw = Path(file).read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise CommandError(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise CommandError(f"{name}: cannot be read ({exc.strerror})") from None
        if isinstance(raw, str):
            return raw
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{name}: not UTF-8 text") from None
