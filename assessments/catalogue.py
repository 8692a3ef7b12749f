"""The question catalogue as versioned data.

The catalogue lives as YAML in ``assessments/catalogues/``. ``parse_catalogue`` validates a
file completely and returns a normalised dict; ``load_catalogue`` writes it to the
database as one immutable version (idempotent; a version in use is never changed);
``export_catalogue`` gives the machine-readable JSON form described in SCORING.md.

Format (method 2): parameters stand under ``scoring:`` (threshold, min_coverage,
min_group_size, defining_min, agreement_min; ranges as SCORING.md's table). A question has
``code``, ``weight`` (default 1), ``defining`` (default false; only in stage sections) and,
when defining, ``why_defining``: a mapping ``{en: ..., de: ...}`` saying why the practice
defines the stage (required for a defining question, optional otherwise). Duplicate keys
anywhere in the YAML are an error naming the key and its line. Keys being added for
catalogue 2026.2 (per question ``dimension``, ``action``; per catalogue
``context_questions``, ``code_map``) are accepted and kept in the normalised dict as they
are, but not stored in the database yet. ``catalogue_warnings`` lists what makes a valid
version unfit for method 2 (no defining question in a stage section, c_min < 0.75).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django_scopes import scopes_disabled

from . import scoring
from .models import Assessment, Catalogue, ContextQuestion, Question, Section

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"
# The test suite's default (its fixtures and tests are written against 2026.1's codes).
DEFAULT_CATALOGUE_PATH = CATALOGUE_DIR / "co-creation-2026.1.yaml"
# What ``make run`` and ``seed_demo`` load, oldest first; the newest version is the active one.
BUNDLED_CATALOGUE_PATHS = (
    CATALOGUE_DIR / "co-creation-2026.1.yaml",
    CATALOGUE_DIR / "co-creation-2026.2.yaml",
)
LATEST_CATALOGUE_PATH = BUNDLED_CATALOGUE_PATHS[-1]

LANGUAGES = ("en", "de")
BANDS = ("low", "mid", "high")
LABEL_COUNT = 5
MIN_QUESTIONS = 1
MAX_QUESTIONS = scoring.MAX_QUESTIONS
METHOD_2_MIN_COVERAGE = 0.75

_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# Keys of catalogue 2026.2: optional, so that 2026.1 keeps loading; present only in the
# normalised dict when the file has them (a version without them keeps its checksum).
_EXTRA_TOP_KEYS = ("dimensions", "owner_roles", "target_guidance", "context_questions", "code_map")
_EXTRA_QUESTION_KEYS = ("dimension", "action")
_TOP_KEYS = {"slug", "version", "title", "scoring", "sections", *_EXTRA_TOP_KEYS}
_SCORING_KEYS = {"threshold", "min_coverage", "min_group_size", "defining_min", "agreement_min"}
_SECTION_KEYS = {
    "key",
    "kind",
    "title",
    "description",
    "recommendations",
    "summary",
    "risk_of_staying",
    "questions",
}
_SECTION_REQUIRED = {"key", "kind", "title", "description", "questions"}
HORIZONS = ("now", "next", "later")
EFFORTS = ("S", "M", "L")
CONTEXT_KINDS = ("outcome", "business_model")
_ACTION_KEYS = {"title", "owner", "horizon", "effort", "first_step", "indicator", "prerequisites"}
_ACTION_TEXTS = ("title", "first_step", "indicator")
_QUESTION_KEYS = {
    "code",
    "weight",
    "defining",
    "why_defining",
    "text",
    "help",
    "labels",
    "source",
    *_EXTRA_QUESTION_KEYS,
}


class CatalogueError(ValueError):
    """The catalogue file is invalid, or the change it asks for is not allowed."""


# --------------------------------------------------------------------------- parsing


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first_line: int):
        super().__init__(f"duplicate key {key!r} at line {line} (first at line {first_line})")


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a mapping that repeats a key is an error (the plain
    loader keeps the last value silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base loader reports it
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _DuplicateKey(key, line, first)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _fail(path: str, message: str) -> CatalogueError:
    return CatalogueError(f"{path}: {message}" if path else message)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _mapping(value: Any, path: str, *, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise _fail(path or "catalogue", f"expected a mapping, got {_type_name(value)}")
    for key in value:
        if key not in allowed:
            raise _fail(_join(path, str(key)), "unknown key")
    for key in sorted(required):
        if key not in value:
            raise _fail(_join(path, key), "missing")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(value: Any, path: str, *, max_length: int | None = None, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {_type_name(value)}")
    value = value.strip()
    if not value and not empty:
        raise _fail(path, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise _fail(path, f"longer than {max_length} characters")
    return value


def _bilingual(
    value: Any, path: str, *, max_length: int | None = None, empty: bool = False
) -> dict[str, str]:
    value = _mapping(value, path, allowed=set(LANGUAGES), required=set(LANGUAGES))
    return {
        lang: _text(value[lang], f"{path}.{lang}", max_length=max_length, empty=empty)
        for lang in LANGUAGES
    }


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, f"expected a number, got {_type_name(value)}")
    return float(value)


def _integer(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"expected an integer, got {_type_name(value)}")
    if not low <= value <= high:
        raise _fail(path, f"must be between {low} and {high}, got {value}")
    return value


def _fraction(value: Any, path: str, high: float) -> float:
    number = _number(value, path)
    if not 0 < number <= high:
        raise _fail(path, f"must be greater than 0 and at most {high:g}, got {number:g}")
    return number


def _parse_scoring(value: Any, path: str) -> dict:
    """The parameters with SCORING.md's defaults and accepted ranges."""
    value = _mapping(value, path, allowed=_SCORING_KEYS, required=set())
    defaults = scoring.Parameters()

    def get(name: str) -> Any:
        return value.get(name, getattr(defaults, name))

    return {
        "threshold": _fraction(get("threshold"), f"{path}.threshold", 0.75),
        "min_coverage": _fraction(get("min_coverage"), f"{path}.min_coverage", 1),
        "min_group_size": _integer(get("min_group_size"), f"{path}.min_group_size", 2, 1000),
        "defining_min": _integer(get("defining_min"), f"{path}.defining_min", 1, 3),
        "agreement_min": _fraction(get("agreement_min"), f"{path}.agreement_min", 1),
    }


def _parse_recommendations(value: Any, path: str) -> dict:
    value = _mapping(value, path, allowed=set(BANDS), required=set(BANDS))
    out = {}
    for band in BANDS:
        texts = _mapping(
            value[band], f"{path}.{band}", allowed=set(LANGUAGES), required=set(LANGUAGES)
        )
        out[band] = {}
        for lang in LANGUAGES:
            items = texts[lang]
            where = f"{path}.{band}.{lang}"
            if not isinstance(items, list):
                raise _fail(where, f"expected a list, got {_type_name(items)}")
            if not items:
                raise _fail(where, "expected at least one recommendation")
            out[band][lang] = [_text(item, f"{where}[{i}]") for i, item in enumerate(items)]
    return out


def _parse_labels(value: Any, path: str) -> dict[str, list[str]]:
    value = _mapping(value, path, allowed=set(LANGUAGES), required=set(LANGUAGES))
    out = {}
    for lang in LANGUAGES:
        items = value[lang]
        where = f"{path}.{lang}"
        if not isinstance(items, list):
            raise _fail(where, f"expected a list, got {_type_name(items)}")
        if len(items) != LABEL_COUNT:
            raise _fail(where, f"expected {LABEL_COUNT} labels, got {len(items)}")
        labels = [_text(item, f"{where}[{i}]", max_length=300) for i, item in enumerate(items)]
        for i, label in enumerate(labels):
            if re.match(rf"^{i}(\s|[.:)]\s*)", label):
                raise _fail(f"{where}[{i}]", "write the label without its number prefix")
        out[lang] = labels
    return out


def _parse_action(value: Any, path: str, owners: set[str]) -> dict:
    value = _mapping(value, path, allowed=_ACTION_KEYS, required=_ACTION_KEYS - {"prerequisites"})
    action = {name: _bilingual(value[name], f"{path}.{name}") for name in _ACTION_TEXTS}
    if value["owner"] not in owners:
        raise _fail(f"{path}.owner", f"{value['owner']!r} is not a key of owner_roles")
    if value["horizon"] not in HORIZONS:
        raise _fail(f"{path}.horizon", f"expected one of {', '.join(HORIZONS)}")
    if value["effort"] not in EFFORTS:
        raise _fail(f"{path}.effort", f"expected one of {', '.join(EFFORTS)}")
    action.update(owner=value["owner"], horizon=value["horizon"], effort=value["effort"])
    if "prerequisites" in value:
        action["prerequisites"] = _bilingual(value["prerequisites"], f"{path}.prerequisites")
    return action


def _keyed_titles(value: Any, path: str) -> list[dict]:
    """``dimensions`` and ``owner_roles``: a list of ``{key, title: {en, de}}``."""
    if not isinstance(value, list) or not value:
        raise _fail(path, f"expected a non-empty list, got {_type_name(value)}")
    out, seen = [], set()
    for i, item in enumerate(value):
        item = _mapping(item, f"{path}[{i}]", allowed={"key", "title"}, required={"key", "title"})
        key = _text(item["key"], f"{path}[{i}].key", max_length=40)
        if key in seen:
            raise _fail(f"{path}[{i}].key", f"{key!r} is used twice")
        seen.add(key)
        out.append({"key": key, "title": _bilingual(item["title"], f"{path}[{i}].title")})
    return out


def _parse_target_guidance(value: Any, path: str) -> list[dict]:
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, got {_type_name(value)}")
    out = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        item = _mapping(item, where, allowed={"stage", "key", "text"}, required={"stage", "text"})
        stage = _integer(item["stage"], f"{where}.stage", 1, len(scoring.STAGE_SECTIONS))
        out.append(
            {
                "stage": stage,
                "key": scoring.STAGE_SECTIONS[stage - 1],
                "text": _bilingual(item["text"], f"{where}.text"),
            }
        )
        if "key" in item and item["key"] != out[-1]["key"]:
            raise _fail(f"{where}.key", f"stage {stage} is {out[-1]['key']!r}, not {item['key']!r}")
    return out


def _parse_context_questions(value: Any, path: str) -> list[dict]:
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, got {_type_name(value)}")
    out, seen = [], set()
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        item = _mapping(
            item,
            where,
            allowed={"code", "kind", "text", "help", "options"},
            required={"code", "kind", "text", "options"},
        )
        code = _text(item["code"], f"{where}.code", max_length=20)
        if not _CODE_RE.match(code):
            raise _fail(f"{where}.code", f"{code!r} may only contain letters, digits, '-_.'")
        if code in seen:
            raise _fail(f"{where}.code", f"{code} is used twice")
        seen.add(code)
        if item["kind"] not in CONTEXT_KINDS:
            raise _fail(f"{where}.kind", f"expected one of {', '.join(CONTEXT_KINDS)}")
        options = item["options"]
        if not isinstance(options, list) or len(options) < 2:
            raise _fail(f"{where}.options", "expected a list of at least two options")
        parsed_options, keys = [], set()
        for j, option in enumerate(options):
            at = f"{where}.options[{j}]"
            option = _mapping(option, at, allowed={"key", "label"}, required={"key", "label"})
            key = _text(option["key"], f"{at}.key", max_length=40)
            if key in keys:
                raise _fail(f"{at}.key", f"{key!r} is used twice")
            keys.add(key)
            parsed_options.append({"key": key, "label": _bilingual(option["label"], f"{at}.label")})
        out.append(
            {
                "code": code,
                "kind": item["kind"],
                "text": _bilingual(item["text"], f"{where}.text"),
                "help": (
                    _bilingual(item["help"], f"{where}.help", empty=True)
                    if "help" in item
                    else {lang: "" for lang in LANGUAGES}
                ),
                "options": parsed_options,
            }
        )
    return out


def _parse_code_map(value: Any, path: str, codes: set[str]) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected a mapping, got {_type_name(value)}")
    out = {}
    for old, targets in value.items():
        where = _join(path, str(old))
        if not isinstance(targets, list):
            raise _fail(where, f"expected a list of codes, got {_type_name(targets)}")
        for j, target in enumerate(targets):
            if target not in codes:
                raise _fail(f"{where}[{j}]", f"{target!r} is not a question of this catalogue")
        out[str(old)] = list(targets)
    return out


def _parse_question(value: Any, path: str, *, stage: bool) -> dict:
    value = _mapping(value, path, allowed=_QUESTION_KEYS, required={"code", "text", "labels"})
    code = _text(value["code"], f"{path}.code", max_length=20)
    if not _CODE_RE.match(code):
        raise _fail(f"{path}.code", f"{code!r} may only contain letters, digits, '-', '_', '.'")
    weight = _number(value.get("weight", 1), f"{path}.weight")
    if weight <= 0:
        raise _fail(f"{path}.weight", f"must be positive, got {weight:g}")
    if "help" in value:
        help_text = _bilingual(value["help"], f"{path}.help", empty=True)
    else:
        help_text = {lang: "" for lang in LANGUAGES}
    defining = value.get("defining", False)
    if not isinstance(defining, bool):
        raise _fail(f"{path}.defining", f"expected true or false, got {_type_name(defining)}")
    if defining and not stage:
        raise _fail(f"{path}.defining", "only questions of stage sections may be defining")
    if "why_defining" in value:
        why = _bilingual(value["why_defining"], f"{path}.why_defining", empty=not defining)
    elif defining:
        raise _fail(f"{path}.why_defining", "missing; a defining question says why it defines")
    else:
        why = {lang: "" for lang in LANGUAGES}
    source = value.get("source", "")
    if source is None:
        source = ""
    elif isinstance(source, str):
        source = _text(source, f"{path}.source", empty=True)
    question = {
        "code": code,
        "weight": weight,
        "defining": defining,
        "why_defining": why,
        "text": _bilingual(value["text"], f"{path}.text"),
        "help": help_text,
        "labels": _parse_labels(value["labels"], f"{path}.labels"),
        "source": source,
    }
    question.update({key: value[key] for key in _EXTRA_QUESTION_KEYS if key in value})
    return question


def _check_question_extras(question: dict, path: str, *, dimensions, owners) -> None:
    """Validate a question's ``dimension`` and ``action`` against the catalogue's lists."""
    if "dimension" in question:
        if dimensions is None:
            raise _fail(f"{path}.dimension", "the catalogue has no dimensions list")
        if question["dimension"] not in dimensions:
            raise _fail(
                f"{path}.dimension", f"{question['dimension']!r} is not a key of dimensions"
            )
    if "action" in question:
        if owners is None:
            raise _fail(f"{path}.action", "the catalogue has no owner_roles list")
        question["action"] = _parse_action(question["action"], f"{path}.action", owners)


def _parse_section(value: Any, path: str, index: int) -> dict:
    value = _mapping(value, path, allowed=_SECTION_KEYS, required=_SECTION_REQUIRED)
    if "recommendations" not in value and "summary" not in value:
        raise _fail(f"{path}.summary", "missing (a section has a summary or recommendations)")
    expected_key = scoring.SECTION_KEYS[index]
    if value["key"] != expected_key:
        raise _fail(
            f"{path}.key",
            f"expected {expected_key!r} (sections must be "
            f"{', '.join(scoring.SECTION_KEYS)} in this order), got {value['key']!r}",
        )
    expected_kind = "stage" if expected_key in scoring.STAGE_SECTIONS else "enabler"
    if value["kind"] != expected_kind:
        raise _fail(f"{path}.kind", f"expected {expected_kind!r}, got {value['kind']!r}")
    questions = value["questions"]
    if not isinstance(questions, list):
        raise _fail(f"{path}.questions", f"expected a list, got {_type_name(questions)}")
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise _fail(
            f"{path}.questions",
            f"expected {MIN_QUESTIONS} to {MAX_QUESTIONS} questions, got {len(questions)}",
        )
    section = {
        "key": expected_key,
        "kind": expected_kind,
        "title": _bilingual(value["title"], f"{path}.title", max_length=200),
        "description": _bilingual(value["description"], f"{path}.description"),
        "recommendations": (
            _parse_recommendations(value["recommendations"], f"{path}.recommendations")
            if "recommendations" in value
            else {}
        ),
        "questions": [
            _parse_question(q, f"{path}.questions[{i}]", stage=expected_kind == "stage")
            for i, q in enumerate(questions)
        ],
    }
    for name in ("summary", "risk_of_staying"):
        if name in value:
            section[name] = _bilingual(value[name], f"{path}.{name}")
    return section


def parse_catalogue(text: str) -> dict:
    """Validate a catalogue YAML document completely and return it normalised.

    Raises CatalogueError naming the path of the first problem, e.g.
    ``sections[2].questions[4].labels.de: expected 5 labels, got 4``.
    """
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise CatalogueError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise CatalogueError(f"YAML syntax error{where}: {problem}") from None
    data = _mapping(raw, "", allowed=_TOP_KEYS, required={"slug", "version", "title", "sections"})
    slug = _text(data["slug"], "slug", max_length=60)
    if not _SLUG_RE.match(slug):
        raise _fail("slug", f"{slug!r} may only contain letters, digits, '-' and '_'")
    if not isinstance(data["version"], str):
        raise _fail(
            "version", f"expected a string, got {_type_name(data['version'])} (quote it in YAML)"
        )
    version = _text(data["version"], "version", max_length=30)
    sections = data["sections"]
    if not isinstance(sections, list):
        raise _fail("sections", f"expected a list, got {_type_name(sections)}")
    if len(sections) != len(scoring.SECTION_KEYS):
        raise _fail(
            "sections",
            f"expected {len(scoring.SECTION_KEYS)} sections "
            f"({', '.join(scoring.SECTION_KEYS)}), got {len(sections)}",
        )
    parsed_sections = [_parse_section(s, f"sections[{i}]", i) for i, s in enumerate(sections)]
    seen: dict[str, str] = {}
    for i, section in enumerate(parsed_sections):
        for j, question in enumerate(section["questions"]):
            where = f"sections[{i}].questions[{j}]"
            if question["code"] in seen:
                raise _fail(
                    f"{where}.code",
                    f"{question['code']} is used twice (first at {seen[question['code']]})",
                )
            seen[question["code"]] = where
    parsed = {
        "slug": slug,
        "version": version,
        "title": _bilingual(data["title"], "title", max_length=200),
        "scoring": _parse_scoring(data.get("scoring", {}), "scoring"),
        "sections": parsed_sections,
    }
    dimensions = owners = None
    if "dimensions" in data:
        parsed["dimensions"] = _keyed_titles(data["dimensions"], "dimensions")
        dimensions = {d["key"] for d in parsed["dimensions"]}
    if "owner_roles" in data:
        parsed["owner_roles"] = _keyed_titles(data["owner_roles"], "owner_roles")
        owners = {o["key"] for o in parsed["owner_roles"]}
    for i, section in enumerate(parsed_sections):
        for j, question in enumerate(section["questions"]):
            _check_question_extras(
                question, f"sections[{i}].questions[{j}]", dimensions=dimensions, owners=owners
            )
    if "target_guidance" in data:
        parsed["target_guidance"] = _parse_target_guidance(
            data["target_guidance"], "target_guidance"
        )
    if "context_questions" in data:
        parsed["context_questions"] = _parse_context_questions(
            data["context_questions"], "context_questions"
        )
        for i, cq in enumerate(parsed["context_questions"]):
            if cq["code"] in seen:
                raise _fail(
                    f"context_questions[{i}].code",
                    f"{cq['code']} is also a scored question ({seen[cq['code']]})",
                )
    if "code_map" in data:
        parsed["code_map"] = _parse_code_map(data["code_map"], "code_map", set(seen))
    return parsed


def catalogue_warnings(data: dict) -> list[str]:
    """What makes a valid catalogue unfit for method 2 (it still loads, so that older
    versions stay usable for the assessments that used them)."""
    warnings = [
        f"sections[{i}] ({section['key']}): no defining question; a catalogue written for "
        "method 2 flags at least one in every stage section"
        for i, section in enumerate(data["sections"])
        if section["kind"] == "stage" and not any(q["defining"] for q in section["questions"])
    ]
    if data["scoring"]["min_coverage"] < METHOD_2_MIN_COVERAGE:
        warnings.append(
            f"scoring.min_coverage: {data['scoring']['min_coverage']:g} is below "
            f"{METHOD_2_MIN_COVERAGE:g}, the minimum a catalogue written for method 2 sets"
        )
    return warnings


def catalogue_text(path: str | Path) -> str:
    """A catalogue file's text; unreadable files raise CatalogueError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc.strerror})") from None


def read_catalogue_file(path: str | Path) -> dict:
    """Parse a catalogue file; unreadable files raise CatalogueError too."""
    return parse_catalogue(catalogue_text(path))


def _checksum_form(data: dict) -> dict:
    """The normalised dict without method-2 fields that hold their defaults, so a version
    loaded before method 2 keeps its checksum (and is not taken for a changed version)."""
    form = copy.deepcopy(data)
    defaults = scoring.Parameters()
    for name in ("defining_min", "agreement_min"):
        if form["scoring"].get(name) == getattr(defaults, name):
            del form["scoring"][name]
    for section in form["sections"]:
        for question in section["questions"]:
            if question.get("defining") is False:
                del question["defining"]
            if not any(question.get("why_defining", {}).values()):
                question.pop("why_defining", None)
    return form


def checksum(data: dict) -> str:
    """sha256 of the normalised catalogue, independent of YAML formatting."""
    canonical = json.dumps(
        _checksum_form(data), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- scoring specs


def spec_from_data(data: dict) -> scoring.CatalogueSpec:
    """The scoring view of a normalised catalogue dict."""
    return scoring.CatalogueSpec(
        sections=tuple(
            scoring.SectionSpec(
                key=section["key"],
                questions=tuple(
                    scoring.QuestionSpec(
                        code=q["code"], weight=float(q["weight"]), defining=q["defining"]
                    )
                    for q in section["questions"]
                ),
            )
            for section in data["sections"]
        ),
        parameters=scoring.Parameters(**data["scoring"]),
    )


def parameters_of(catalogue: Catalogue) -> dict:
    """The scoring parameters stored with a catalogue version."""
    return {
        "threshold": catalogue.threshold,
        "min_coverage": catalogue.min_coverage,
        "min_group_size": catalogue.min_group_size,
        "defining_min": catalogue.defining_min,
        "agreement_min": catalogue.agreement_min,
    }


def spec_from_catalogue(catalogue: Catalogue) -> scoring.CatalogueSpec:
    """The scoring view of a stored catalogue: one query for its sections and questions."""
    grouped: dict[str, list[scoring.QuestionSpec]] = {}
    questions = (
        Question.objects.filter(catalogue=catalogue)
        .select_related("section")
        .order_by("section__order", "order")
    )
    for question in questions:
        grouped.setdefault(question.section.key, []).append(
            scoring.QuestionSpec(
                code=question.code, weight=question.weight, defining=question.defining
            )
        )
    return scoring.CatalogueSpec(
        sections=tuple(scoring.SectionSpec(key=k, questions=tuple(v)) for k, v in grouped.items()),
        parameters=scoring.Parameters(**parameters_of(catalogue)),
    )


# --------------------------------------------------------------------------- database


def _catalogue_fields(data: dict, digest: str) -> dict:
    return {
        "title_en": data["title"]["en"],
        "title_de": data["title"]["de"],
        "threshold": data["scoring"]["threshold"],
        "min_coverage": data["scoring"]["min_coverage"],
        "min_group_size": data["scoring"]["min_group_size"],
        "defining_min": data["scoring"]["defining_min"],
        "agreement_min": data["scoring"]["agreement_min"],
        "checksum": digest,
        "loaded_at": timezone.now(),
        "dimensions": data.get("dimensions", []),
        "owner_roles": data.get("owner_roles", []),
        "target_guidance": data.get("target_guidance", []),
        "code_map": data.get("code_map", {}),
    }


def _section_fields(section: dict, order: int) -> dict:
    return {
        "kind": section["kind"],
        "order": order,
        "title_en": section["title"]["en"],
        "title_de": section["title"]["de"],
        "description_en": section["description"]["en"],
        "description_de": section["description"]["de"],
        "recommendations": section["recommendations"],
        "summary_en": section.get("summary", {}).get("en", ""),
        "summary_de": section.get("summary", {}).get("de", ""),
        "risk_of_staying": section.get("risk_of_staying", {}),
    }


def _question_fields(question: dict, order: int) -> dict:
    return {
        "order": order,
        "weight": question["weight"],
        "defining": question["defining"],
        "why_defining_en": question["why_defining"]["en"],
        "why_defining_de": question["why_defining"]["de"],
        "text_en": question["text"]["en"],
        "text_de": question["text"]["de"],
        "help_en": question["help"]["en"],
        "help_de": question["help"]["de"],
        "labels_en": question["labels"]["en"],
        "labels_de": question["labels"]["de"],
        "source": (
            question["source"]
            if isinstance(question["source"], str)
            else json.dumps(question["source"], ensure_ascii=False)
        ),
        "dimension": question.get("dimension", ""),
        "action": question.get("action", {}),
    }


def _write_rows(catalogue: Catalogue, data: dict) -> None:
    """Make the catalogue's sections and questions match ``data`` (updating in place)."""
    sections = {s.key: s for s in Section.objects.filter(catalogue=catalogue)}
    existing = {q.code: q for q in Question.objects.filter(catalogue=catalogue)}
    wanted = {q["code"] for s in data["sections"] for q in s["questions"]}
    Question.objects.filter(catalogue=catalogue).exclude(code__in=wanted).delete()
    Section.objects.filter(catalogue=catalogue).exclude(
        key__in=[s["key"] for s in data["sections"]]
    ).delete()
    new_questions = []
    for section_order, section_data in enumerate(data["sections"]):
        fields = _section_fields(section_data, section_order)
        section = sections.get(section_data["key"])
        if section is None:
            section = Section.objects.create(catalogue=catalogue, key=section_data["key"], **fields)
        else:
            for name, value in fields.items():
                setattr(section, name, value)
            section.save()
        for order, question_data in enumerate(section_data["questions"]):
            fields = _question_fields(question_data, order)
            question = existing.get(question_data["code"])
            if question is None:
                new_questions.append(
                    Question(
                        catalogue=catalogue, section=section, code=question_data["code"], **fields
                    )
                )
            else:
                question.section = section
                for name, value in fields.items():
                    setattr(question, name, value)
                question.save()
    Question.objects.bulk_create(new_questions)
    _write_context_questions(catalogue, data.get("context_questions", []))


def _write_context_questions(catalogue: Catalogue, items: list[dict]) -> None:
    existing = {q.code: q for q in ContextQuestion.objects.filter(catalogue=catalogue)}
    ContextQuestion.objects.filter(catalogue=catalogue).exclude(
        code__in=[q["code"] for q in items]
    ).delete()
    for order, item in enumerate(items):
        fields = {
            "kind": item["kind"],
            "order": order,
            "text_en": item["text"]["en"],
            "text_de": item["text"]["de"],
            "help_en": item["help"]["en"],
            "help_de": item["help"]["de"],
            "options": item["options"],
        }
        question = existing.get(item["code"])
        if question is None:
            ContextQuestion.objects.create(catalogue=catalogue, code=item["code"], **fields)
        else:
            for name, value in fields.items():
                setattr(question, name, value)
            question.save()


def assessments_using(catalogue: Catalogue) -> int:
    with scopes_disabled():
        return Assessment.objects.filter(catalogue=catalogue).count()


def load_catalogue(*, text: str) -> tuple[Catalogue, bool]:
    """Store a catalogue version from YAML text; returns (catalogue, written).

    ``written`` is False when the same slug and version is already stored with the same
    content (a no-op). Different content under an existing version replaces it in place,
    unless an assessment uses that version: then CatalogueError, as versions in use are
    immutable.
    """
    data = parse_catalogue(text)
    digest = checksum(data)
    with transaction.atomic():
        catalogue = (
            Catalogue.objects.select_for_update()
            .filter(slug=data["slug"], version=data["version"])
            .first()
        )
        if catalogue is not None and catalogue.checksum == digest:
            return catalogue, False
        if catalogue is not None:
            used = assessments_using(catalogue)
            if used:
                noun = "assessment" if used == 1 else "assessments"
                raise CatalogueError(
                    f"catalogue {catalogue.slug} {catalogue.version} is in use by {used} "
                    f"{noun} and is immutable; give the change a new version"
                )
            for name, value in _catalogue_fields(data, digest).items():
                setattr(catalogue, name, value)
            catalogue.save()
        else:
            catalogue = Catalogue.objects.create(
                slug=data["slug"], version=data["version"], **_catalogue_fields(data, digest)
            )
        try:
            _write_rows(catalogue, data)
        except ProtectedError:
            raise CatalogueError(
                f"catalogue {catalogue.slug} {catalogue.version} has questions that other "
                "records still refer to; give the change a new version"
            ) from None
    return catalogue, True


def version_key(version: str) -> tuple:
    """Sort key of a version string: "2026.10" after "2026.9" (numeric parts as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"[.\-_]", version)
    )


def active_catalogue() -> Catalogue | None:
    """The catalogue for new assessments: the highest version (not the last loaded, so
    loading an older version again never makes it active); None if none is loaded."""
    catalogues = list(Catalogue.objects.all())
    if not catalogues:
        return None
    return max(catalogues, key=lambda c: (version_key(c.version), c.loaded_at, c.pk))


def read_and_load_catalogue(path: str | Path) -> tuple[Catalogue, bool]:
    """Load a catalogue file into the database (the one place that reads a file to load
    it: ``catalogue load``, ``seed_demo``, the test fixtures)."""
    return load_catalogue(text=catalogue_text(path))


# --------------------------------------------------------------------------- export


def data_from_catalogue(catalogue: Catalogue) -> dict:
    """The normalised dict of a stored catalogue (the same shape parse_catalogue returns)."""
    sections = {
        s.pk: {
            "key": s.key,
            "kind": s.kind,
            "title": {"en": s.title_en, "de": s.title_de},
            "description": {"en": s.description_en, "de": s.description_de},
            "recommendations": s.recommendations,
            "questions": [],
        }
        for s in Section.objects.filter(catalogue=catalogue).order_by("order")
    }
    for q in Question.objects.filter(catalogue=catalogue).order_by("section__order", "order"):
        sections[q.section_id]["questions"].append(
            {
                "code": q.code,
                "weight": q.weight,
                "defining": q.defining,
                "why_defining": {"en": q.why_defining_en, "de": q.why_defining_de},
                "text": {"en": q.text_en, "de": q.text_de},
                "help": {"en": q.help_en, "de": q.help_de},
                "labels": {"en": list(q.labels_en), "de": list(q.labels_de)},
                "source": q.source,
                **({"dimension": q.dimension} if q.dimension else {}),
                **({"action": q.action} if q.action else {}),
            }
        )
    for section in Section.objects.filter(catalogue=catalogue).order_by("order"):
        if section.summary_en:
            sections[section.pk]["summary"] = {"en": section.summary_en, "de": section.summary_de}
        if section.risk_of_staying:
            sections[section.pk]["risk_of_staying"] = section.risk_of_staying
    data = {
        "slug": catalogue.slug,
        "version": catalogue.version,
        "title": {"en": catalogue.title_en, "de": catalogue.title_de},
        "scoring": parameters_of(catalogue),
        "sections": list(sections.values()),
    }
    for name in ("dimensions", "owner_roles", "target_guidance", "code_map"):
        if getattr(catalogue, name):
            data[name] = getattr(catalogue, name)
    context = [
        {
            "code": q.code,
            "kind": q.kind,
            "text": {"en": q.text_en, "de": q.text_de},
            "help": {"en": q.help_en, "de": q.help_de},
            "options": q.options,
        }
        for q in ContextQuestion.objects.filter(catalogue=catalogue).order_by("order")
    ]
    if context:
        data["context_questions"] = context
    return data


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def export_data(data: dict) -> dict:
    """SCORING.md's ``catalogue export`` JSON for a normalised catalogue dict."""
    return {
        "slug": data["slug"],
        "version": data["version"],
        "title": dict(data["title"]),
        "scoring": dict(data["scoring"]),
        "sections": [
            {
                "key": section["key"],
                "kind": section["kind"],
                "title": dict(section["title"]),
                "description": dict(section["description"]),
                "questions": [
                    {
                        "code": q["code"],
                        "weight": _plain_number(q["weight"]),
                        "defining": q["defining"],
                        "why_defining": dict(q["why_defining"]),
                        "text": dict(q["text"]),
                        "help": dict(q["help"]),
                        "labels": {
                            lang: [f"{i} {label}" for i, label in enumerate(q["labels"][lang])]
                            for lang in LANGUAGES
                        },
                        "source": q["source"],
                    }
                    for q in section["questions"]
                ],
            }
            for section in data["sections"]
        ],
        # Unscored: outside sections[].questions, so that nothing that scores reads them.
        **(
            {"context_questions": copy.deepcopy(data["context_questions"])}
            if data.get("context_questions")
            else {}
        ),
    }


def export_catalogue(catalogue: Catalogue) -> dict:
    """SCORING.md's ``catalogue export`` JSON for a stored catalogue."""
    return export_data(data_from_catalogue(catalogue))


# --------------------------------------------------------------------------- command line


def catalogue_data_for_cli(*, version: str | None = None, path: str | Path | None = None) -> dict:
    """The normalised catalogue the command-line tools work with.

    A YAML file if ``path`` is given; else the stored version ``version`` (or the active
    one); with no catalogue stored, or a database not yet migrated, the bundled default
    file, read without writing anything.
    """
    if path is not None:
        data = read_catalogue_file(path)
        if version is not None and data["version"] != version:
            raise CatalogueError(f"{path} holds version {data['version']}, not {version}")
        return data
    from django.db import OperationalError, ProgrammingError

    try:
        stored = Catalogue.objects.exists()
        if stored:
            if version is None:
                catalogue = active_catalogue()
            else:
                catalogue = (
                    Catalogue.objects.filter(version=version).order_by("-loaded_at", "-id").first()
                )
            if catalogue is None:
                raise CatalogueError(f"no catalogue version {version} is loaded")
            return data_from_catalogue(catalogue)
    except (OperationalError, ProgrammingError):
        pass  # not migrated yet: fall back to the file
    data = read_catalogue_file(DEFAULT_CATALOGUE_PATH)
    if version is not None and data["version"] != version:
        raise CatalogueError(
            f"no catalogue is loaded and the default catalogue is version {data['version']}, "
            f"not {version}"
        )
    return data
