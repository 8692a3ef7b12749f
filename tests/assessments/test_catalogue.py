"""The catalogue as versioned data: parsing with path-naming errors, idempotent loading,
immutability of versions in use, export shape (SCORING.md, method 2)."""

import json
from pathlib import Path

import pytest
import yaml
from django_scopes import scopes_disabled

from assessments import scoring
from assessments.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    LATEST_CATALOGUE_PATH,
    CatalogueError,
    active_catalogue,
    catalogue_warnings,
    checksum,
    export_catalogue,
    export_data,
    load_catalogue,
    parse_catalogue,
    read_and_load_catalogue,
    spec_from_catalogue,
    spec_from_data,
)
from assessments.models import (
    Assessment,
    Catalogue,
    ContextQuestion,
    Organisation,
    Question,
    Section,
)

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.yaml"
FIXTURE_M2 = Path(__file__).parent / "fixtures" / "catalogue-method2.yaml"
DEFAULTS = {
    "threshold": 0.6,
    "min_coverage": 0.75,
    "min_group_size": 3,
    "defining_min": 2,
    "agreement_min": 0.7,
}


@pytest.fixture(autouse=True)
def _no_catalogue_loaded(request):
    """These tests start from an empty catalogue table (the session loads the real one)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        with scopes_disabled():
            Catalogue.objects.all().delete()


@pytest.fixture
def text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def mutated(text: str, change) -> str:
    data = yaml.safe_load(text)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def set_path(*path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def delete_path(*path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


# --------------------------------------------------------------------------- parsing


def test_parse_catalogue_fixture_gives_normalised_data(text):
    data = parse_catalogue(text)

    assert data["slug"] == "test-catalogue"
    assert data["version"] == "0.1"
    assert [s["key"] for s in data["sections"]] == list(scoring.SECTION_KEYS)
    assert [s["kind"] for s in data["sections"]] == ["stage"] * 4 + ["enabler"] * 2
    assert data["scoring"] == {**DEFAULTS, "min_coverage": 0.5}
    first = data["sections"][0]["questions"][0]
    assert first["code"] == "AL-01"
    assert first["weight"] == 2.0
    assert first["labels"]["en"][0] == "Not in place"


def test_parse_catalogue_without_scoring_uses_defaults(text):
    data = parse_catalogue(mutated(text, delete_path("scoring")))

    assert data["scoring"] == DEFAULTS


def test_parse_catalogue_method2_fixture_has_defining_questions_and_parameters():
    data = parse_catalogue(FIXTURE_M2.read_text(encoding="utf-8"))

    assert data["scoring"] == {
        "threshold": 0.7,
        "min_coverage": 0.8,
        "min_group_size": 2,
        "defining_min": 3,
        "agreement_min": 0.6,
    }
    defining = [q["code"] for s in data["sections"] for q in s["questions"] if q["defining"]]
    assert defining == ["AL-02", "IN-01", "CC-01", "CC-02", "FU-01"]
    al02 = data["sections"][0]["questions"][1]
    assert al02["why_defining"] == {
        "en": "AL-02 defines the stage.",
        "de": "AL-02 kennzeichnet die Stufe.",
    }
    assert data["sections"][0]["questions"][0]["why_defining"] == {"en": "", "de": ""}
    assert catalogue_warnings(data) == []


@pytest.fixture
def text_2026_2() -> str:
    return LATEST_CATALOGUE_PATH.read_text(encoding="utf-8")


def test_parse_catalogue_2026_2_validates_dimensions_actions_and_context(text_2026_2):
    data = parse_catalogue(text_2026_2)

    first = data["sections"][0]["questions"][0]
    assert first["dimension"] in {d["key"] for d in data["dimensions"]}
    assert first["action"]["horizon"] in ("now", "next", "later")
    assert set(first["action"]["title"]) == {"en", "de"}
    assert data["context_questions"][0]["code"] == "CX-01"
    assert all(q["kind"] in ("outcome", "business_model") for q in data["context_questions"])
    assert [g["stage"] for g in data["target_guidance"]] == [1, 2, 3, 4]
    assert data["sections"][0]["summary"]["de"]
    assert catalogue_warnings(data) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["sections"][0]["questions"][0].update(dimension="weather"),
            "sections[0].questions[0].dimension: 'weather' is not a key of dimensions",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["action"].update(owner="pope"),
            "sections[0].questions[0].action.owner: 'pope' is not a key of owner_roles",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["action"].update(horizon="soon"),
            "sections[0].questions[0].action.horizon: expected one of now, next, later",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["action"].update(effort="XL"),
            "sections[0].questions[0].action.effort: expected one of S, M, L",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["action"]["first_step"].pop("de"),
            "sections[0].questions[0].action.first_step.de: missing",
        ),
        (
            lambda d: d["code_map"].update({"AL-01": ["XX-99"]}),
            "code_map.AL-01[0]: 'XX-99' is not a question of this catalogue",
        ),
        (
            lambda d: d["context_questions"][0].update(kind="mood"),
            "context_questions[0].kind: expected one of outcome, business_model",
        ),
        (
            lambda d: d["context_questions"][0].update(code="AL-05"),
            "context_questions[0].code: AL-05 is also a scored question",
        ),
        (
            lambda d: d["target_guidance"][0].update(stage=5),
            "target_guidance[0].stage: must be between 1 and 4, got 5",
        ),
        (
            lambda d: d["sections"][0].pop("summary"),
            "sections[0].summary: missing",
        ),
    ],
)
def test_parse_catalogue_2026_2_bad_key_names_its_path(text_2026_2, change, message):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(mutated(text_2026_2, change))

    assert str(caught.value).startswith(message)


@pytest.mark.django_db
def test_load_catalogue_2026_2_stores_actions_dimensions_and_context_questions():
    catalogue, created = read_and_load_catalogue(LATEST_CATALOGUE_PATH)

    assert created is True
    question = Question.objects.get(catalogue=catalogue, code="AL-11")
    assert question.dimension
    assert question.action["owner"] == "cio"
    assert set(question.action["first_step"]) == {"en", "de"}
    section = Section.objects.get(catalogue=catalogue, key="alignment")
    assert section.summary_de and section.summary_en
    assert catalogue.code_map["AL-01"] == ["AL-11"]
    assert {d["key"] for d in catalogue.dimensions} >= {"strategy"}
    context = list(ContextQuestion.objects.filter(catalogue=catalogue))
    assert context[0].code == "CX-01" and len(context[0].options) >= 2
    # Context questions are no part of any section and of no scoring spec.
    spec_codes = {q.code for s in spec_from_catalogue(catalogue).sections for q in s.questions}
    assert not spec_codes & {q.code for q in context}


@pytest.mark.django_db
def test_export_catalogue_2026_2_lists_context_questions_outside_sections():
    catalogue, _ = read_and_load_catalogue(LATEST_CATALOGUE_PATH)

    exported = export_catalogue(catalogue)

    codes_in_sections = {q["code"] for s in exported["sections"] for q in s["questions"]}
    assert exported["context_questions"][0]["code"] == "CX-01"
    assert not codes_in_sections & {c["code"] for c in exported["context_questions"]}
    assert exported == export_data(parse_catalogue(LATEST_CATALOGUE_PATH.read_text("utf-8")))


@pytest.mark.django_db
def test_active_catalogue_is_highest_version_not_last_loaded():
    new, _ = read_and_load_catalogue(LATEST_CATALOGUE_PATH)
    old, _ = read_and_load_catalogue(DEFAULT_CATALOGUE_PATH)

    assert old.loaded_at >= new.loaded_at
    assert active_catalogue() == new


@pytest.mark.django_db
def test_load_catalogue_2026_1_keeps_loading_without_2026_2_keys():
    catalogue, _ = read_and_load_catalogue(DEFAULT_CATALOGUE_PATH)

    assert catalogue.dimensions == [] and catalogue.code_map == {}
    assert not ContextQuestion.objects.filter(catalogue=catalogue).exists()
    assert Section.objects.get(catalogue=catalogue, key="alignment").recommendations["low"]


def test_catalogue_warnings_without_defining_questions_and_low_coverage(text):
    warnings = catalogue_warnings(parse_catalogue(text))

    assert warnings == [
        f"sections[{i}] ({key}): no defining question; a catalogue written for method 2 "
        "flags at least one in every stage section"
        for i, key in enumerate(scoring.STAGE_SECTIONS)
    ] + [
        "scoring.min_coverage: 0.5 is below 0.75, the minimum a catalogue written for method 2 sets"
    ]


def test_parse_catalogue_duplicate_key_names_key_and_line(text):
    lines = text.splitlines()
    index = lines.index("    weight: 2")
    duplicated = "\n".join([*lines[: index + 1], "    weight: 3", *lines[index + 1 :]])

    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(duplicated)

    assert str(caught.value) == (
        f"duplicate key 'weight' at line {index + 2} (first at line {index + 1})"
    )


def test_parse_catalogue_duplicate_top_level_key_rejected(text):
    with pytest.raises(CatalogueError, match="duplicate key 'slug' at line"):
        parse_catalogue(text + "slug: other\n")


@pytest.mark.skipif(not DEFAULT_CATALOGUE_PATH.exists(), reason="real catalogue not written yet")
def test_checksum_of_catalogue_2026_1_unchanged_by_method_2():
    # The checksum stored when 2026.1 was loaded before method 2: reloading the same file
    # must be a no-op, not a "changed version in use" error.
    data = parse_catalogue(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))

    assert checksum(data) == "8125cb199147c8e742c95885739f60e60f092d302bb1c51dbb82b4c4352cab03"


def test_checksum_changes_when_a_question_becomes_defining(text):
    change = set_path(
        "sections",
        0,
        "questions",
        0,
        value={
            **yaml.safe_load(text)["sections"][0]["questions"][0],
            "defining": True,
            "why_defining": {"en": "Why.", "de": "Warum."},
        },
    )

    assert checksum(parse_catalogue(mutated(text, change))) != checksum(parse_catalogue(text))


def test_parse_catalogue_without_weight_uses_one(text):
    data = parse_catalogue(mutated(text, delete_path("sections", 0, "questions", 0, "weight")))

    assert data["sections"][0]["questions"][0]["weight"] == 1.0


def _swap_first_sections(data):
    data["sections"][0], data["sections"][1] = data["sections"][1], data["sections"][0]


def _duplicate_code(data):
    data["sections"][3]["questions"][2]["code"] = "AL-01"


def _no_questions(data):
    data["sections"][1]["questions"] = []


def _seventeen_questions(data):
    questions = data["sections"][1]["questions"]
    for i in range(9):
        questions.append({**questions[0], "code": f"IN-X{i}"})


def _four_labels(data):
    data["sections"][2]["questions"][4]["labels"]["de"].pop()


def _numbered_label(data):
    data["sections"][0]["questions"][1]["labels"]["en"][3] = "3 Largely"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_path("slug", value="not a slug!"), "slug: 'not a slug!' may only contain"),
        (set_path("version", value=2026.1), "version: expected a string, got a number"),
        (delete_path("version"), "version: missing"),
        (set_path("colour", value="red"), "colour: unknown key"),
        (set_path("title", "de", value=""), "title.de: must not be empty"),
        (delete_path("title", "de"), "title.de: missing"),
        (set_path("scoring", "threshold", value=0), "scoring.threshold: must be greater than 0"),
        (set_path("scoring", "threshold", value=1.5), "scoring.threshold: must be greater"),
        (
            set_path("scoring", "threshold", value=0.76),
            "scoring.threshold: must be greater than 0 and at most 0.75, got 0.76",
        ),
        (set_path("scoring", "min_coverage", value=-0.1), "scoring.min_coverage: must be"),
        (set_path("scoring", "min_coverage", value=0), "scoring.min_coverage: must be"),
        (set_path("scoring", "min_coverage", value=1.01), "scoring.min_coverage: must be"),
        (set_path("scoring", "min_group_size", value=0), "scoring.min_group_size: must be"),
        (
            set_path("scoring", "min_group_size", value=1),
            "scoring.min_group_size: must be between 2 and 1000, got 1",
        ),
        (
            set_path("scoring", "defining_min", value=0),
            "scoring.defining_min: must be between 1 and 3, got 0",
        ),
        (set_path("scoring", "defining_min", value=4), "scoring.defining_min: must be between"),
        (
            set_path("scoring", "defining_min", value=2.0),
            "scoring.defining_min: expected an integer",
        ),
        (set_path("scoring", "agreement_min", value=0), "scoring.agreement_min: must be"),
        (set_path("scoring", "agreement_min", value=1.2), "scoring.agreement_min: must be"),
        (
            set_path("scoring", "agreement_min", value="high"),
            "scoring.agreement_min: expected a number",
        ),
        (set_path("scoring", "sigma", value=1), "scoring.sigma: unknown key"),
        (
            set_path("scoring", "min_group_size", value=2.5),
            "scoring.min_group_size: expected an integer",
        ),
        (
            set_path("scoring", "min_group_size", value=True),
            "scoring.min_group_size: expected an integer",
        ),
        (delete_path("sections", 5), "sections: expected 6 sections"),
        (_swap_first_sections, "sections[0].key: expected 'alignment'"),
        (set_path("sections", 4, "kind", value="stage"), "sections[4].kind: expected 'enabler'"),
        (set_path("sections", 0, "kind", value="enabler"), "sections[0].kind: expected 'stage'"),
        (_no_questions, "sections[1].questions: expected 1 to 16 questions, got 0"),
        (_seventeen_questions, "sections[1].questions: expected 1 to 16 questions, got 17"),
        (
            set_path("sections", 4, "questions", 0, "defining", value=True),
            "sections[4].questions[0].defining: only questions of stage sections may be defining",
        ),
        (
            set_path("sections", 0, "questions", 2, "defining", value="yes"),
            "sections[0].questions[2].defining: expected true or false, got a string",
        ),
        (
            set_path("sections", 0, "questions", 2, "defining", value=True),
            "sections[0].questions[2].why_defining: missing",
        ),
        (
            set_path("sections", 0, "questions", 2, "why_defining", value="Because."),
            "sections[0].questions[2].why_defining: expected a mapping, got a string",
        ),
        (
            set_path("sections", 0, "questions", 2, "why_defining", value={"en": "Because."}),
            "sections[0].questions[2].why_defining.de: missing",
        ),
        (_duplicate_code, "sections[3].questions[2].code: AL-01 is used twice"),
        (
            set_path("sections", 0, "questions", 3, "weight", value=0),
            "sections[0].questions[3].weight: must be positive",
        ),
        (
            set_path("sections", 0, "questions", 3, "weight", value=-1),
            "sections[0].questions[3].weight: must be positive",
        ),
        (
            set_path("sections", 0, "questions", 3, "weight", value="heavy"),
            "sections[0].questions[3].weight: expected a number",
        ),
        (
            set_path("sections", 0, "questions", 3, "weight", value=True),
            "sections[0].questions[3].weight: expected a number",
        ),
        (
            set_path("sections", 0, "questions", 0, "text", "de", value=" "),
            "sections[0].questions[0].text.de: must not be empty",
        ),
        (
            delete_path("sections", 5, "questions", 7, "text", "en"),
            "sections[5].questions[7].text.en: missing",
        ),
        (_four_labels, "sections[2].questions[4].labels.de: expected 5 labels, got 4"),
        (_numbered_label, "sections[0].questions[1].labels.en[3]: write the label without"),
        (
            delete_path("sections", 0, "recommendations", "mid"),
            "sections[0].recommendations.mid: missing",
        ),
        (
            set_path("sections", 1, "recommendations", "low", "en", value="Do more."),
            "sections[1].recommendations.low.en: expected a list",
        ),
        (
            set_path("sections", 1, "recommendations", "high", "de", value=[]),
            "sections[1].recommendations.high.de: expected at least one",
        ),
        (
            delete_path("sections", 2, "description"),
            "sections[2].description: missing",
        ),
        (
            set_path("sections", 2, "questions", 0, "wieght", value=1),
            "sections[2].questions[0].wieght: unknown key",
        ),
    ],
)
def test_parse_catalogue_invalid_names_path(text, change, message):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(mutated(text, change))

    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("slug: [unclosed\n", "YAML syntax error at line"),
        ("- just\n- a list\n", "catalogue: expected a mapping, got a list"),
        ("", "catalogue: expected a mapping, got null"),
    ],
)
def test_parse_catalogue_not_a_catalogue_document(source, message):
    with pytest.raises(CatalogueError, match=message.replace("[", r"\[")):
        parse_catalogue(source)


def test_catalogue_error_is_value_error():
    assert issubclass(CatalogueError, ValueError)


def test_spec_from_data_matches_catalogue(text):
    spec = spec_from_data(parse_catalogue(text))

    assert [s.key for s in spec.sections] == list(scoring.SECTION_KEYS)
    assert spec.sections[0].questions[0] == scoring.QuestionSpec(code="AL-01", weight=2.0)
    assert all(len(s.questions) == 8 for s in spec.sections)
    assert spec.parameters == scoring.Parameters(0.6, 0.5, 3, 2, 0.7)


def test_spec_from_data_carries_defining_and_parameters():
    spec = spec_from_data(parse_catalogue(FIXTURE_M2.read_text(encoding="utf-8")))

    assert spec.sections[0].questions[1] == scoring.QuestionSpec("AL-02", 1.0, defining=True)
    assert spec.parameters == scoring.Parameters(0.7, 0.8, 2, 3, 0.6)


@pytest.mark.skipif(not DEFAULT_CATALOGUE_PATH.exists(), reason="real catalogue not written yet")
def test_real_catalogue_parses_with_eight_to_twelve_questions_per_section():
    data = parse_catalogue(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))

    assert data["slug"] == "co-creation"
    assert data["version"] == "2026.1"
    assert [s["key"] for s in data["sections"]] == list(scoring.SECTION_KEYS)
    for section in data["sections"]:
        assert 8 <= len(section["questions"]) <= 12
    # It scores: a respondent answering 4 everywhere reaches Fusion.
    spec = spec_from_data(data)
    answers = {q.code: 4 for s in spec.sections for q in s.questions}
    result = scoring.score(spec, [scoring.ResponseSet("business", answers)])
    assert result["position"] == 4


# --------------------------------------------------------------------------- loading


@pytest.mark.django_db
def test_load_catalogue_creates_rows(text):
    catalogue, created = load_catalogue(text=text)

    assert created is True
    assert (catalogue.slug, catalogue.version) == ("test-catalogue", "0.1")
    assert catalogue.checksum == checksum(parse_catalogue(text))
    assert (catalogue.threshold, catalogue.min_coverage, catalogue.min_group_size) == (0.6, 0.5, 3)
    assert (catalogue.defining_min, catalogue.agreement_min) == (2, 0.7)
    assert not Question.objects.filter(catalogue=catalogue, defining=True).exists()
    assert Section.objects.filter(catalogue=catalogue).count() == 6
    assert Question.objects.filter(catalogue=catalogue).count() == 48
    question = Question.objects.get(catalogue=catalogue, code="CC-03")
    assert question.section.key == "co_creation"
    assert question.section.catalogue_id == catalogue.pk
    assert question.order == 2
    assert question.labels_de[4] == "Vollständig und systematisch"
    section = Section.objects.get(catalogue=catalogue, key="dto")
    assert section.kind == "enabler"
    assert section.order == 5
    assert section.recommendations["mid"]["en"] == [
        "Digital Twin of the Organization: mid recommendation."
    ]


@pytest.mark.django_db
def test_load_catalogue_same_content_twice_is_noop(text):
    first, _ = load_catalogue(text=text)
    reformatted = yaml.safe_dump(yaml.safe_load(text), sort_keys=True, width=60)

    again, created = load_catalogue(text=reformatted)

    assert created is False
    assert again.pk == first.pk
    assert again.loaded_at == first.loaded_at
    assert Catalogue.objects.count() == 1
    assert Question.objects.count() == 48


@pytest.mark.django_db
def test_load_catalogue_changed_unused_version_is_replaced_in_place(text):
    first, _ = load_catalogue(text=text)
    old_pk = Question.objects.get(code="AL-02").pk

    def change(data):
        data["title"]["en"] = "Changed title"
        questions = data["sections"][0]["questions"]
        questions[1]["text"]["en"] = "Reworded."
        questions[1]["weight"] = 3
        removed = questions.pop()  # AL-08
        questions.append({**removed, "code": "AL-09"})

    replaced, created = load_catalogue(text=mutated(text, change))

    assert created is True
    assert replaced.pk == first.pk
    replaced.refresh_from_db()
    assert replaced.title_en == "Changed title"
    assert Catalogue.objects.count() == 1
    al02 = Question.objects.get(code="AL-02")
    assert (al02.pk, al02.text_en, al02.weight) == (old_pk, "Reworded.", 3.0)
    assert not Question.objects.filter(code="AL-08").exists()
    assert Question.objects.get(code="AL-09").order == 7
    assert Question.objects.count() == 48
    assert replaced.checksum != first.checksum


def _assessment_on(catalogue: Catalogue) -> None:
    with scopes_disabled():
        organisation = Organisation.objects.create(name="Acme", slug="acme")
        Assessment.objects.create(organisation=organisation, catalogue=catalogue, title="A")


@pytest.mark.django_db
def test_load_catalogue_changed_version_in_use_is_immutable(text):
    catalogue, _ = load_catalogue(text=text)
    _assessment_on(catalogue)

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(text=mutated(text, set_path("title", "en", value="Changed")))

    assert str(caught.value) == (
        "catalogue test-catalogue 0.1 is in use by 1 assessment and is immutable; "
        "give the change a new version"
    )
    catalogue.refresh_from_db()
    assert catalogue.title_en == "Test catalogue"


@pytest.mark.django_db
def test_load_catalogue_same_content_in_use_is_noop(text):
    catalogue, _ = load_catalogue(text=text)
    _assessment_on(catalogue)

    assert load_catalogue(text=text) == (catalogue, False)


@pytest.mark.django_db
def test_load_catalogue_new_version_becomes_active(text):
    assert active_catalogue() is None
    old, _ = load_catalogue(text=text)
    new, created = load_catalogue(text=mutated(text, set_path("version", value="0.2")))

    assert created is True
    assert new.pk != old.pk
    assert active_catalogue() == new
    assert Question.objects.count() == 96


@pytest.mark.django_db
def test_load_catalogue_invalid_text_writes_nothing(text):
    with pytest.raises(CatalogueError):
        load_catalogue(text=mutated(text, _four_labels))

    assert Catalogue.objects.count() == 0


@pytest.mark.django_db
def test_load_catalogue_stores_defining_questions_and_parameters():
    catalogue, _ = load_catalogue(text=FIXTURE_M2.read_text(encoding="utf-8"))

    assert (
        catalogue.threshold,
        catalogue.min_coverage,
        catalogue.min_group_size,
        catalogue.defining_min,
        catalogue.agreement_min,
    ) == (0.7, 0.8, 2, 3, 0.6)
    defining = Question.objects.filter(catalogue=catalogue, defining=True).order_by("pk")
    assert [q.code for q in defining] == ["AL-02", "IN-01", "CC-01", "CC-02", "FU-01"]
    cc01 = Question.objects.get(catalogue=catalogue, code="CC-01")
    assert (cc01.why_defining_en, cc01.why_defining_de) == (
        "CC-01 defines the stage.",
        "CC-01 kennzeichnet die Stufe.",
    )
    assert spec_from_catalogue(catalogue) == spec_from_data(
        parse_catalogue(FIXTURE_M2.read_text(encoding="utf-8"))
    )


@pytest.mark.django_db
def test_spec_from_catalogue_one_query_matches_file(text, django_assert_num_queries):
    catalogue, _ = load_catalogue(text=text)

    with django_assert_num_queries(1):
        spec = spec_from_catalogue(catalogue)

    assert spec == spec_from_data(parse_catalogue(text))


# --------------------------------------------------------------------------- export


@pytest.mark.django_db
def test_export_catalogue_has_scoring_md_shape(text):
    catalogue, _ = load_catalogue(text=text)

    exported = export_catalogue(catalogue)

    assert json.loads(json.dumps(exported, ensure_ascii=False)) == exported
    assert {"slug", "version", "scoring", "sections"} <= set(exported)
    assert exported["slug"] == "test-catalogue"
    assert exported["version"] == "0.1"
    assert exported["scoring"] == {**DEFAULTS, "min_coverage": 0.5}
    assert [s["key"] for s in exported["sections"]] == list(scoring.SECTION_KEYS)
    assert [s["kind"] for s in exported["sections"]] == ["stage"] * 4 + ["enabler"] * 2
    section = exported["sections"][0]
    assert {"key", "kind", "title", "questions"} <= set(section)
    assert section["title"] == {"en": "Alignment", "de": "Ausrichtung"}
    question = section["questions"][0]
    assert {"code", "weight", "defining", "text", "help", "labels", "source"} <= set(question)
    assert question["defining"] is False
    assert question["code"] == "AL-01"
    assert question["weight"] == 2
    assert isinstance(question["weight"], int)
    assert question["text"] == {"en": "Alignment statement 1.", "de": "Ausrichtung Aussage 1."}
    assert question["help"] == {"en": "Help for AL-01.", "de": "Hilfe zu AL-01."}
    assert question["labels"]["en"] == [
        "0 Not in place",
        "1 Ad hoc",
        "2 Partly",
        "3 Largely",
        "4 Fully and systematically",
    ]
    assert question["labels"]["de"][4] == "4 Vollständig und systematisch"
    assert question["source"] == "Test fixture"
    assert [q["code"] for q in section["questions"]] == [f"AL-0{i}" for i in range(1, 9)]


@pytest.mark.django_db
def test_export_catalogue_equals_export_of_file(text):
    catalogue, _ = load_catalogue(text=text)

    assert export_catalogue(catalogue) == export_data(parse_catalogue(text))


@pytest.mark.django_db
def test_export_catalogue_method2_fixture_has_defining_flags():
    text = FIXTURE_M2.read_text(encoding="utf-8")
    catalogue, _ = load_catalogue(text=text)

    exported = export_catalogue(catalogue)

    assert exported["scoring"] == {
        "threshold": 0.7,
        "min_coverage": 0.8,
        "min_group_size": 2,
        "defining_min": 3,
        "agreement_min": 0.6,
    }
    flags = {q["code"]: q["defining"] for s in exported["sections"] for q in s["questions"]}
    assert [code for code, flag in flags.items() if flag] == [
        "AL-02",
        "IN-01",
        "CC-01",
        "CC-02",
        "FU-01",
    ]
    assert exported["sections"][2]["questions"][0]["why_defining"]["de"] == (
        "CC-01 kennzeichnet die Stufe."
    )


def test_export_data_keeps_fractional_weight(text):
    data = parse_catalogue(
        mutated(text, set_path("sections", 0, "questions", 1, "weight", value=1.5))
    )

    assert export_data(data)["sections"][0]["questions"][1]["weight"] == 1.5
