"""Content rules of catalogue 2026.2 (issue 12), checked on the YAML file itself.

The file is read with PyYAML directly (duplicate keys rejected), not through the app's
loader, so that these rules hold whatever the loader accepts. ``catalogue_problems(path)``
takes any path: the negative tests below point it at a copy in ``tmp_path`` with one
seeded defect and expect that defect to be named.
"""

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "assessments" / "catalogues"
CATALOGUE_2026_2 = CATALOGUE_DIR / "co-creation-2026.2.yaml"
CATALOGUE_2026_1 = CATALOGUE_DIR / "co-creation-2026.1.yaml"
# Point the content rules at another file as well: CATALOGUE_CONTENT_PATH=/tmp/draft.yaml pytest …
_EXTRA = os.environ.get("CATALOGUE_CONTENT_PATH")
CHECKED_PATHS = [CATALOGUE_2026_2, *([Path(_EXTRA)] if _EXTRA else [])]

LANGUAGES = ("en", "de")
SECTIONS = (
    ("alignment", "stage"),
    ("integration", "stage"),
    ("co_creation", "stage"),
    ("fusion", "stage"),
    ("bizdevops", "enabler"),
    ("dto", "enabler"),
)
CODE_PREFIX = {
    "alignment": "AL",
    "integration": "IN",
    "co_creation": "CC",
    "fusion": "FU",
    "bizdevops": "BD",
    "dto": "DT",
}
HORIZONS = {"now", "next", "later"}
EFFORTS = {"S", "M", "L"}
CONTEXT_KINDS = {"outcome", "business_model"}
LABEL_COUNT = 5
MAX_QUESTIONS = 16
FORBIDDEN = ("Geschäftsfähigkeit",)


# The C parser when PyYAML has it (the files are large), with the safe constructor either way.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class UniqueKeyLoader(_SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path):
    loader = UniqueKeyLoader(path.read_text(encoding="utf-8"))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def dump(data) -> str:
    return yaml.dump(data, Dumper=_SafeDumper, allow_unicode=True, sort_keys=False)


@functools.cache
def previous_codes(path: Path) -> frozenset[str]:
    return frozenset(codes_of(read_yaml(path)))


def codes_of(data: dict) -> list[str]:
    return [q.get("code") for s in data.get("sections") or [] for q in s.get("questions") or []]


def _bilingual(problems: list[str], value, where: str) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected en and de")
        return
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}.{lang}: missing or empty")


def _labels(problems: list[str], value, where: str) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected en and de")
        return
    for lang in LANGUAGES:
        items = value.get(lang)
        if not isinstance(items, list) or len(items) != LABEL_COUNT:
            problems.append(f"{where}.{lang}: expected {LABEL_COUNT} labels")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                problems.append(f"{where}.{lang}[{i}]: missing or empty")
            elif len(item) > 300 or re.match(rf"^{i}(\s|[.:)])", item):
                problems.append(f"{where}.{lang}[{i}]: too long or numbered")
        if len(set(items)) != len(items):
            problems.append(f"{where}.{lang}: two levels share a label")


def _action(problems: list[str], action, where: str, owners: set[str]) -> None:
    if not isinstance(action, dict):
        problems.append(f"{where}: missing")
        return
    for field in ("title", "first_step", "indicator"):
        _bilingual(problems, action.get(field), f"{where}.{field}")
    if "prerequisites" in action:
        _bilingual(problems, action["prerequisites"], f"{where}.prerequisites")
    if action.get("owner") not in owners:
        problems.append(f"{where}.owner: {action.get('owner')!r} is not a declared owner role")
    if action.get("horizon") not in HORIZONS:
        problems.append(f"{where}.horizon: {action.get('horizon')!r} is not now/next/later")
    if action.get("effort") not in EFFORTS:
        problems.append(f"{where}.effort: {action.get('effort')!r} is not S/M/L")


def _question(problems, question, where, *, stage, dimensions, owners, prefix) -> None:
    code = question.get("code")
    if not isinstance(code, str) or not re.fullmatch(rf"{prefix}-\d\d", code):
        problems.append(f"{where}.code: {code!r} is not {prefix}-NN")
    for field in ("text", "help"):
        _bilingual(problems, question.get(field), f"{where}.{field}")
    _labels(problems, question.get("labels"), f"{where}.labels")
    if not isinstance(question.get("source"), str) or not question["source"].strip():
        problems.append(f"{where}.source: missing")
    weight = question.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        problems.append(f"{where}.weight: {weight!r} is not a positive number")
    elif weight != 1:
        if "why_weight" not in question:
            problems.append(f"{where}: weight {weight} without why_weight")
        else:
            _bilingual(problems, question["why_weight"], f"{where}.why_weight")
    defining = question.get("defining", False)
    if not isinstance(defining, bool):
        problems.append(f"{where}.defining: expected true or false")
    elif defining:
        if not stage:
            problems.append(f"{where}: defining outside a stage section")
        if "why_defining" not in question:
            problems.append(f"{where}: defining without why_defining")
        else:
            _bilingual(problems, question["why_defining"], f"{where}.why_defining")
    if question.get("dimension") not in dimensions:
        problems.append(
            f"{where}.dimension: {question.get('dimension')!r} is not a declared dimension"
        )
    _action(problems, question.get("action"), f"{where}.action", owners)


def _keys(problems: list[str], entries, where: str) -> set[str]:
    keys = set()
    for i, entry in enumerate(entries or []):
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            problems.append(f"{where}[{i}].key: {key!r} is not snake_case")
            continue
        if key in keys:
            problems.append(f"{where}[{i}].key: duplicate {key!r}")
        keys.add(key)
        _bilingual(problems, entry.get("title"), f"{where}[{i}].title")
    if not keys:
        problems.append(f"{where}: none declared")
    return keys


def _context(problems: list[str], entries) -> list[str]:
    codes = []
    for i, entry in enumerate(entries or []):
        where = f"context_questions[{i}]"
        code = entry.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"CX-\d\d", code):
            problems.append(f"{where}.code: {code!r} is not CX-NN")
        codes.append(code)
        if entry.get("kind") not in CONTEXT_KINDS:
            problems.append(f"{where}.kind: {entry.get('kind')!r} is not outcome/business_model")
        for field in ("text", "help"):
            _bilingual(problems, entry.get(field), f"{where}.{field}")
        options = entry.get("options") or []
        if len(options) < 2:
            problems.append(f"{where}.options: expected at least two")
        option_keys = [option.get("key") for option in options]
        if len(set(option_keys)) != len(option_keys):
            problems.append(f"{where}.options: duplicate key")
        for j, option in enumerate(options):
            _bilingual(problems, option.get("label"), f"{where}.options[{j}].label")
        for forbidden in ("weight", "defining", "labels", "action"):
            if forbidden in entry:
                problems.append(f"{where}: context questions are unscored, no {forbidden!r}")
    if not codes:
        problems.append("context_questions: none declared")
    return codes


def catalogue_problems(path: Path, previous: Path = CATALOGUE_2026_1) -> list[str]:
    """Every rule of issue 12 that the catalogue at ``path`` breaks, as readable strings."""
    text = path.read_text(encoding="utf-8")
    problems = [f"contains {word!r}" for word in FORBIDDEN if word.lower() in text.lower()]
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        return [*problems, f"YAML: {exc}"]
    if not isinstance(data, dict):
        return [*problems, "top level is not a mapping"]

    scoring = data.get("scoring") or {}
    min_coverage = scoring.get("min_coverage")
    if not isinstance(min_coverage, int | float) or not 0.75 <= min_coverage <= 1:
        problems.append(f"scoring.min_coverage: {min_coverage!r} is below 0.75 (method 2)")
    for key in ("threshold", "min_group_size", "defining_min", "agreement_min"):
        if key not in scoring:
            problems.append(f"scoring.{key}: missing")
    _bilingual(problems, data.get("title"), "title")

    dimensions = _keys(problems, data.get("dimensions"), "dimensions")
    owners = _keys(problems, data.get("owner_roles"), "owner_roles")

    sections = data.get("sections") or []
    found = [(s.get("key"), s.get("kind")) for s in sections]
    if found != list(SECTIONS):
        problems.append(f"sections: expected {list(SECTIONS)}, got {found}")
    for index, section in enumerate(sections):
        key = section.get("key")
        where = f"sections[{index}] ({key})"
        stage = section.get("kind") == "stage"
        for field in ("title", "description", "summary"):
            _bilingual(problems, section.get(field), f"{where}.{field}")
        questions = section.get("questions") or []
        if not 1 <= len(questions) <= MAX_QUESTIONS:
            problems.append(f"{where}: {len(questions)} questions, expected 1..{MAX_QUESTIONS}")
        for i, question in enumerate(questions):
            _question(
                problems,
                question,
                f"{where}.questions[{i}]",
                stage=stage,
                dimensions=dimensions,
                owners=owners,
                prefix=CODE_PREFIX.get(key, "??"),
            )
        if stage and not any(q.get("defining") is True for q in questions):
            problems.append(f"{where}: stage section without a defining question")

    scored = codes_of(data)
    context = _context(problems, data.get("context_questions"))
    all_codes = scored + context
    for code in sorted({c for c in all_codes if all_codes.count(c) > 1}, key=str):
        problems.append(f"duplicate code {code!r}")

    guidance = data.get("target_guidance") or []
    if sorted(g.get("stage") for g in guidance) != [1, 2, 3, 4]:
        problems.append("target_guidance: expected one entry for each stage 1..4")
    for i, entry in enumerate(guidance):
        _bilingual(problems, entry.get("text"), f"target_guidance[{i}].text")

    code_map = data.get("code_map")
    if not isinstance(code_map, dict):
        return [*problems, "code_map: missing"]
    old_codes = previous_codes(previous)
    for old in sorted(old_codes - set(code_map)):
        problems.append(f"code_map: 2026.1 code {old} is missing")
    for old in sorted(set(code_map) - old_codes):
        problems.append(f"code_map: {old} is not a 2026.1 code")
    scored_set = set(scored)
    for old, targets in code_map.items():
        if not isinstance(targets, list):
            problems.append(f"code_map.{old}: expected a list")
            continue
        for target in targets:
            if target not in scored_set:
                problems.append(f"code_map.{old}: {target!r} does not exist in 2026.2")
    for code in sorted(scored_set & old_codes):
        # A kept code means an unchanged question, so it must be its own successor.
        if code not in (code_map.get(code) or []):
            problems.append(f"code_map.{code}: a kept code must map to itself")
    return problems


# --------------------------------------------------------------------------- the real file


@pytest.mark.parametrize("path", CHECKED_PATHS, ids=lambda p: p.name)
def test_catalogue_content_has_no_problems(path):
    assert catalogue_problems(path) == []


def test_catalogue_content_size_fits_twenty_minutes():
    data = read_yaml(CATALOGUE_2026_2)
    counts = {s["key"]: len(s["questions"]) for s in data["sections"]}
    assert 40 <= sum(counts.values()) <= 48, counts
    assert counts["bizdevops"] <= 6 and counts["dto"] <= 6, counts


def test_catalogue_content_every_dimension_and_owner_used():
    data = read_yaml(CATALOGUE_2026_2)
    questions = [q for s in data["sections"] for q in s["questions"]]
    assert {d["key"] for d in data["dimensions"]} == {q["dimension"] for q in questions}
    used_owners = {q["action"]["owner"] for q in questions}
    assert used_owners <= {o["key"] for o in data["owner_roles"]}


# --------------------------------------------------------------------------- seeded defects


def _first_question(section: str) -> Callable[[dict], dict]:
    def pick(data: dict) -> dict:
        return next(s for s in data["sections"] if s["key"] == section)["questions"][0]

    return pick


def _drop_defining(data):
    section = next(s for s in data["sections"] if s["key"] == "fusion")
    for question in section["questions"]:
        question["defining"] = False


def _defining_in_enabler(data):
    question = _first_question("dto")(data)
    question["defining"] = True
    question["why_defining"] = {"en": "x", "de": "x"}


def _missing_german_help(data):
    del _first_question("alignment")(data)["help"]["de"]


def _four_labels(data):
    _first_question("integration")(data)["labels"]["de"].pop()


def _action_without_first_step(data):
    del _first_question("co_creation")(data)["action"]["first_step"]


def _unknown_owner(data):
    _first_question("bizdevops")(data)["action"]["owner"] = "chief_happiness_officer"


def _bad_horizon(data):
    _first_question("bizdevops")(data)["action"]["horizon"] = "soon"


def _unknown_dimension(data):
    _first_question("fusion")(data)["dimension"] = "vibes"


def _weight_without_why(data):
    question = _first_question("alignment")(data)
    question["weight"] = 2
    question.pop("why_weight", None)


def _defining_without_why(data):
    question = next(q for s in data["sections"] for q in s["questions"] if q.get("defining"))
    del question["why_defining"]


def _low_coverage(data):
    data["scoring"]["min_coverage"] = 0.5


def _legal_term(data):
    _first_question("dto")(data)["text"]["de"] += " (Geschäftsfähigkeiten)"


def _map_to_nowhere(data):
    data["code_map"]["AL-01"] = ["AL-99"]


def _old_code_unmapped(data):
    del data["code_map"]["DT-10"]


def _sections_swapped(data):
    data["sections"][0], data["sections"][1] = data["sections"][1], data["sections"][0]


def _empty_section(data):
    data["sections"][4]["questions"] = []


def _seventeen_questions(data):
    questions = data["sections"][2]["questions"]
    while len(questions) < 17:
        questions.append(dict(questions[-1], code=f"CC-{60 + len(questions)}"))


def _context_code_clash(data):
    data["context_questions"][0]["code"] = data["context_questions"][1]["code"]


def _scored_code_twice(data):
    questions = data["sections"][0]["questions"]
    questions[1]["code"] = questions[0]["code"]


SEEDED_DEFECTS = [
    (_drop_defining, "stage section without a defining question"),
    (_defining_in_enabler, "defining outside a stage section"),
    (_missing_german_help, "help.de: missing or empty"),
    (_four_labels, "labels.de: expected 5 labels"),
    (_action_without_first_step, "action.first_step: expected en and de"),
    (_unknown_owner, "is not a declared owner role"),
    (_bad_horizon, "is not now/next/later"),
    (_unknown_dimension, "is not a declared dimension"),
    (_weight_without_why, "without why_weight"),
    (_defining_without_why, "defining without why_defining"),
    (_low_coverage, "below 0.75"),
    (_legal_term, "contains 'Geschäftsfähigkeit'"),
    (_map_to_nowhere, "'AL-99' does not exist in 2026.2"),
    (_old_code_unmapped, "2026.1 code DT-10 is missing"),
    (_sections_swapped, "sections: expected"),
    (_empty_section, "0 questions"),
    (_seventeen_questions, "17 questions"),
    (_context_code_clash, "duplicate code 'CX-02'"),
    (_scored_code_twice, "duplicate code"),
]


@pytest.mark.parametrize(
    ("change", "expected"), SEEDED_DEFECTS, ids=[c.__name__.strip("_") for c, _ in SEEDED_DEFECTS]
)
def test_catalogue_content_seeded_defect_is_named(tmp_path, change, expected):
    data = read_yaml(CATALOGUE_2026_2)
    change(data)
    broken = tmp_path / "co-creation-broken.yaml"
    broken.write_text(dump(data), "utf-8")
    problems = catalogue_problems(broken)
    assert any(expected in problem for problem in problems), problems


def test_catalogue_content_duplicate_yaml_key_is_refused(tmp_path):
    text = CATALOGUE_2026_2.read_text(encoding="utf-8")
    broken = tmp_path / "co-creation-duplicate.yaml"
    # A second `slug:` line: PyYAML's safe_load would silently keep the last one.
    broken.write_text(text.replace("slug: co-creation\n", "slug: co-creation\nslug: x\n", 1))
    assert any("duplicate key 'slug'" in problem for problem in catalogue_problems(broken))


def test_catalogue_content_unchanged_copy_passes(tmp_path):
    # The negative tests above rewrite the file through the safe dumper; this shows that the
    # round trip alone introduces no problem, so each failure comes from its seeded defect.
    copy = tmp_path / "co-creation-copy.yaml"
    copy.write_text(dump(read_yaml(CATALOGUE_2026_2)), "utf-8")
    assert catalogue_problems(copy) == []


SEEDS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the articles are not next to the repository")
def test_catalogue_content_risk_of_staying_quotes_the_articles():
    data = read_yaml(CATALOGUE_2026_2)
    articles = _plain(" ".join(p.read_text(encoding="utf-8") for p in SEEDS_DIR.glob("*.txt")))
    risks = {s["key"]: s["risk_of_staying"] for s in data["sections"] if "risk_of_staying" in s}

    assert set(risks) == {"alignment", "integration", "co_creation"}
    for key, texts in risks.items():
        assert set(texts) == set(LANGUAGES), key
        quotes = re.findall(r"„([^“]+)“", texts["de"])
        assert quotes, f"{key}: the German text quotes the articles"
        for quote in quotes:
            assert _plain(quote).rstrip(".") in articles, f"{key}: {quote!r} is not in the articles"
