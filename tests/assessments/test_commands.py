"""``score``, ``catalogue`` and ``rescore`` management commands: output as SCORING.md
describes, and every invalid input rejected with a one-line message on stderr, a non-zero
exit and no traceback."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scope, scopes_disabled

from assessments import scoring, services
from assessments.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    export_catalogue,
    export_data,
    load_catalogue,
    parse_catalogue,
    spec_from_data,
)
from assessments.models import Catalogue, ResultSnapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.yaml"
FIXTURE_M2 = Path(__file__).parent / "fixtures" / "catalogue-method2.yaml"

GOOD_INPUT = {
    "target_stage": 3,
    "respondents": [
        {"perspective": "business", "answers": {"AL-01": 3, "AL-02": None, "AL-03": 4}},
        {"perspective": "it", "answers": {"AL-01": 1, "AL-02": 2, "IN-01": 4}},
        {"perspective": "other", "answers": {}},
    ],
    "consensus": {"AL-01": 2, "AL-04": None},
}


@pytest.fixture
def no_stored_catalogue(db):
    """The active catalogue is the highest version: remove the session's real catalogue so
    that the fixture's version (0.x) is the one the commands pick."""
    with scopes_disabled():
        Catalogue.objects.all().delete()


def expected_output(document: dict) -> dict:
    """The result worked out directly with the scoring module, as the command must print it."""
    spec = spec_from_data(parse_catalogue(FIXTURE.read_text(encoding="utf-8")))
    result = scoring.score(
        spec,
        [scoring.ResponseSet(r["perspective"], r["answers"]) for r in document["respondents"]],
        consensus=document.get("consensus"),
        target_stage=document.get("target_stage"),
    )
    return json.loads(json.dumps(scoring.round_result(result)))


def start_score(workdir: Path, name: str, content: bytes | None, *extra: str) -> subprocess.Popen:
    """Start ``manage.py score`` in a fresh process; its database is an empty, unmigrated file
    (so the fallback path without a stored catalogue is taken)."""
    path = workdir / name
    if content is not None:
        path.write_bytes(content)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "maturity.settings",
        "DJANGO_HTTPS": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'unmigrated.sqlite3'}",
        "COMPASS_VAR_DIR": str(workdir / "var"),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "score", str(path), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen) -> dict:
    stdout, stderr = proc.communicate(timeout=120)
    return {"returncode": proc.returncode, "stdout": stdout.decode(), "stderr": stderr.decode()}


def run_score(workdir: Path, name: str, content: bytes | None, *extra: str) -> dict:
    return finish(start_score(workdir, name, content, *extra))


# --------------------------------------------------------------------------- score: good input


def test_score_command_good_input_prints_rounded_result(tmp_path):
    out = io.StringIO()
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(GOOD_INPUT), encoding="utf-8")

    call_command("score", str(path), "--catalogue", str(FIXTURE), stdout=out)

    printed = json.loads(out.getvalue())
    assert printed == expected_output(GOOD_INPUT)
    assert printed["questions"]["AL-01"]["value"] == 2
    assert printed["target_gap"] is not None
    for key in ("stage", "position", "sections", "outliers", "warnings", "perception_gap"):
        assert key in printed


def test_score_command_stdin_reads_document(tmp_path, monkeypatch):
    document = {"respondents": [{"perspective": "it", "answers": {"DT-01": 4, "DT-02": 3}}]}
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(document).encode()), "utf-8")
    )
    out = io.StringIO()

    call_command("score", "-", "--catalogue", str(FIXTURE), stdout=out)

    assert json.loads(out.getvalue()) == expected_output(document)


@pytest.mark.django_db
def test_score_command_uses_stored_catalogue(tmp_path, no_stored_catalogue):
    load_catalogue(text=FIXTURE.read_text(encoding="utf-8"))
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(GOOD_INPUT), encoding="utf-8")
    out = io.StringIO()

    call_command("score", str(path), stdout=out)

    assert json.loads(out.getvalue()) == expected_output(GOOD_INPUT)


def test_score_command_subprocess_good_input_exits_zero(tmp_path):
    run = run_score(
        tmp_path, "good.json", json.dumps(GOOD_INPUT).encode(), "--catalogue", str(FIXTURE)
    )

    assert run["returncode"] == 0, run["stderr"]
    assert run["stderr"] == ""
    assert json.loads(run["stdout"]) == expected_output(GOOD_INPUT)


@pytest.mark.skipif(not DEFAULT_CATALOGUE_PATH.exists(), reason="real catalogue not written yet")
def test_score_command_unmigrated_database_falls_back_to_default_catalogue(tmp_path):
    data = parse_catalogue(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    first = data["sections"][0]["questions"][0]["code"]
    document = {"respondents": [{"perspective": "business", "answers": {first: 4}}]}

    run = run_score(tmp_path, "answers.json", json.dumps(document).encode())

    assert run["returncode"] == 0, run["stderr"]
    printed = json.loads(run["stdout"])
    assert printed["questions"][first]["value"] == 4
    assert set(printed["sections"]) == set(scoring.SECTION_KEYS)


# --------------------------------------------------------------------------- score: bad input

ANSWERS = '{"respondents": [{"perspective": "business", "answers": %s}]}'
BAD_INPUTS = [
    ("malformed_json", b'{"respondents": [', "malformed JSON"),
    ("trailing_comma", b'{"respondents": [],}', "malformed JSON"),
    ("top_level_list", b"[]", "top level: expected a JSON object, got a list"),
    ("top_level_string", b'"hello"', "top level: expected a JSON object, got a string"),
    (
        "unknown_top_level_key",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "extra": 1}',
        "unknown top-level key 'extra'",
    ),
    ("respondents_missing", b"{}", "respondents: missing"),
    ("respondents_not_list", b'{"respondents": {}}', "respondents: expected a list"),
    ("respondents_empty", b'{"respondents": []}', "respondents: empty"),
    ("respondent_not_object", b'{"respondents": [1]}', "respondents[0]: expected an object"),
    (
        "respondent_unknown_key",
        b'{"respondents": [{"perspective": "it", "answers": {}, "name": "Ann"}]}',
        "respondents[0]: unknown key 'name'",
    ),
    (
        "perspective_missing",
        b'{"respondents": [{"answers": {}}]}',
        "respondents[0].perspective: missing",
    ),
    (
        "perspective_unknown",
        b'{"respondents": [{"perspective": "board", "answers": {}}]}',
        "unknown perspective 'board'",
    ),
    (
        "answers_missing",
        b'{"respondents": [{"perspective": "it"}]}',
        "respondents[0].answers: missing",
    ),
    (
        "answers_not_object",
        (ANSWERS % "[3, 4]").encode(),
        "respondents[0].answers: expected an object",
    ),
    ("unknown_code", (ANSWERS % '{"XX-99": 1}').encode(), "unknown question code 'XX-99'"),
    ("value_too_high", (ANSWERS % '{"AL-01": 5}').encode(), "value 5 is outside 0..4"),
    ("value_negative", (ANSWERS % '{"AL-01": -1}').encode(), "value -1 is outside 0..4"),
    ("value_float", (ANSWERS % '{"AL-01": 3.0}').encode(), "expected an integer 0..4"),
    ("value_fraction", (ANSWERS % '{"AL-01": 2.5}').encode(), "expected an integer 0..4"),
    ("value_string", (ANSWERS % '{"AL-01": "3"}').encode(), "expected an integer 0..4"),
    ("value_boolean", (ANSWERS % '{"AL-01": true}').encode(), "expected an integer 0..4"),
    ("value_nan", (ANSWERS % '{"AL-01": NaN}').encode(), "expected an integer 0..4"),
    ("duplicate_code", (ANSWERS % '{"AL-01": 1, "AL-01": 2}').encode(), "duplicate key"),
    (
        "consensus_not_object",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "consensus": [2]}',
        "consensus: expected an object",
    ),
    (
        "consensus_unknown_code",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "consensus": {"ZZ": 2}}',
        "consensus: unknown question code 'ZZ'",
    ),
    (
        "consensus_bad_value",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "consensus": {"AL-01": 9}}',
        "consensus.AL-01: value 9 is outside 0..4",
    ),
    (
        "target_out_of_range",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "target_stage": 5}',
        "target_stage: expected an integer 1..4",
    ),
    (
        "target_zero",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "target_stage": 0}',
        "target_stage: expected an integer 1..4",
    ),
    (
        "target_string",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "target_stage": "3"}',
        "target_stage: expected an integer 1..4",
    ),
    ("not_utf8", b'{"respondents": "\xff\xfe"}', "not UTF-8 text"),
    ("deep_nesting", b"[" * 100_000, "nesting deeper than the format allows"),
    (
        "deep_object_nesting",
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "nesting deeper than the format allows",
    ),
    (
        "value_nested_list",
        (ANSWERS % '{"AL-01": [3]}').encode(),
        "nesting deeper than the format allows (4 levels) at line 1, column 67",
    ),
    ("brackets_in_strings_are_text", (ANSWERS % '{"[[[[[[": 1}').encode(), "unknown question"),
    (
        "duplicate_top_level_key",
        b'{"respondents": [], "respondents": []}',
        "duplicate key 'respondents'",
    ),
    (
        "duplicate_respondent_key",
        b'{"respondents": [{"perspective": "it", "perspective": "business", "answers": {}}]}',
        "duplicate key 'perspective'",
    ),
    ("top_level_number", b"3", "top level: expected a JSON object, got a number"),
    (
        "huge_integer",
        (ANSWERS % ('{"AL-01": 1' + "0" * 5000 + "}")).encode(),
        "malformed JSON: a number is too long to read",
    ),
    (
        "target_boolean",
        b'{"respondents": [{"perspective": "it", "answers": {}}], "target_stage": true}',
        "target_stage: expected an integer 1..4",
    ),
    ("file_not_found", None, "no such file"),
]


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict[str, dict]:
    """All bad inputs through real processes, started at once to keep the module fast."""
    started = {}
    for name, content, _message in BAD_INPUTS:
        workdir = tmp_path_factory.mktemp(name)
        started[name] = start_score(workdir, f"{name}.json", content, "--catalogue", str(FIXTURE))
    return {name: finish(proc) for name, proc in started.items()}


@pytest.mark.parametrize(
    ("name", "content", "message"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_score_command_bad_input_fails_cleanly(bad_runs, name, content, message):
    run = bad_runs[name]

    assert run["returncode"] != 0
    assert run["stdout"] == ""
    assert "Traceback" not in run["stderr"]
    lines = run["stderr"].splitlines()
    assert len(lines) == 1, run["stderr"]
    assert lines[0].startswith("CommandError: ")
    assert message in lines[0]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS[:3])
def test_score_command_bad_input_raises_command_error_in_process(tmp_path, name, content, message):
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    out = io.StringIO()

    with pytest.raises(CommandError, match=message):
        call_command("score", str(path), "--catalogue", str(FIXTURE), stdout=out)

    assert out.getvalue() == ""


def test_score_command_directory_fails_cleanly(tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        call_command("score", str(tmp_path), "--catalogue", str(FIXTURE))


def test_score_command_bad_catalogue_file_fails_cleanly(tmp_path):
    bad = tmp_path / "catalogue.yaml"
    bad.write_text("slug: [", encoding="utf-8")
    run = run_score(tmp_path, "good.json", json.dumps(GOOD_INPUT).encode(), "--catalogue", str(bad))

    assert run["returncode"] != 0
    assert run["stdout"] == ""
    assert run["stderr"].startswith("CommandError: catalogue: ")
    assert "YAML syntax error" in run["stderr"]
    assert "Traceback" not in run["stderr"]


def test_score_command_method2_catalogue_hand_worked(tmp_path):
    """Against the method-2 fixture (θ 0.7, c_min 0.8, k 2, d 3, r_min 0.6; AL-01 weighs 2,
    AL-02 is defining), worked out by hand from SCORING.md."""
    alignment = {f"AL-0{i}": 4 for i in range(1, 9)}
    document = {
        "target_stage": 2,
        "respondents": [
            {"perspective": "business", "answers": {**alignment, "AL-02": 2, "AL-03": 1}},
            {"perspective": "it", "answers": {**alignment, "AL-02": 4, "AL-03": 3}},
            {"perspective": "it", "answers": {**alignment, "AL-02": 4, "AL-03": 3}},
        ],
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()

    call_command("score", str(path), "--catalogue", str(FIXTURE_M2), stdout=out)

    printed = json.loads(out.getvalue())
    # AL-02: business 2, IT 4, 4: balanced mean (2 + 4) / 2 = 3 ≥ d = 3, met; disputed
    # (means two apart). AL-03: business 1, IT 3, 3: value 2, disputed the same way;
    # r_wg of (1, 3, 3) = 1 − (4/3)/2.
    assert printed["questions"]["AL-02"]["value"] == 3.0
    assert printed["questions"]["AL-03"]["value"] == 2.0
    assert printed["questions"]["AL-03"]["agreement"] == 0.3333
    assert printed["sections"]["alignment"]["disputed"] == ["AL-02", "AL-03"]
    # f = (2·4 + 3 + 2 + 5·4) / (4 · 9) = 33/36
    assert printed["sections"]["alignment"]["fulfilment"] == 0.9167
    assert printed["sections"]["alignment"]["reached"] is True
    assert printed["stage"] == {"index": 1, "key": "alignment"}
    # integration unanswered: f⁰ = 0, so P = 1; target gap 2 − 1.00
    assert printed["position"] == 1.0
    assert printed["target_gap"] == 1.0
    assert printed["next_stage_path"]["stage"] == "integration"
    assert printed["next_stage_path"]["questions"][0] == "IN-01"  # defining, not met
    assert "perspective_missing:business" not in printed["warnings"]
    assert printed == json.loads(json.dumps(expected_output_for(FIXTURE_M2, document)))


def expected_output_for(catalogue_file: Path, document: dict) -> dict:
    spec = spec_from_data(parse_catalogue(catalogue_file.read_text(encoding="utf-8")))
    result = scoring.score(
        spec,
        [scoring.ResponseSet(r["perspective"], r["answers"]) for r in document["respondents"]],
        consensus=document.get("consensus"),
        target_stage=document.get("target_stage"),
    )
    return scoring.round_result(result)


def test_score_command_output_has_every_section_and_question(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(GOOD_INPUT), encoding="utf-8")
    out = io.StringIO()

    call_command("score", str(path), "--catalogue", str(FIXTURE), stdout=out)

    printed = json.loads(out.getvalue())
    codes = [
        q["code"]
        for s in parse_catalogue(FIXTURE.read_text("utf-8"))["sections"]
        for q in s["questions"]
    ]
    assert printed["method"] == 2
    assert list(printed["sections"]) == list(scoring.SECTION_KEYS)
    assert list(printed["questions"]) == codes
    for section in printed["sections"].values():
        assert {
            "fulfilment",
            "coverage",
            "sufficient",
            "defining_met",
            "reached",
            "agreement",
            "disputed",
        } <= set(section)
    assert set(printed["robustness"]) >= {
        "robust",
        "stage_min",
        "stage_max",
        "stage_if_unanswered_lowest",
        "stage_if_unanswered_highest",
    }
    assert set(printed["position_if_unanswered"]) == {"lowest", "highest"}
    assert "next_stage_path" in printed


# --------------------------------------------------------------------------- catalogue


@pytest.mark.django_db
def test_catalogue_command_load_then_reload_reports_unchanged():
    out = io.StringIO()

    call_command("catalogue", "load", str(FIXTURE), stdout=out)
    call_command("catalogue", "load", str(FIXTURE), stdout=out)

    assert out.getvalue().splitlines() == [
        "Loaded test-catalogue 0.1 (48 questions)",
        "test-catalogue 0.1 is already loaded, unchanged",
    ]


@pytest.mark.django_db
def test_catalogue_command_load_warns_for_a_catalogue_not_written_for_method_2():
    out, err = io.StringIO(), io.StringIO()

    call_command("catalogue", "load", str(FIXTURE), stdout=out, stderr=err)

    assert out.getvalue().splitlines() == ["Loaded test-catalogue 0.1 (48 questions)"]
    warnings = err.getvalue().splitlines()
    assert len(warnings) == 5
    assert warnings[0].startswith("warning: sections[0] (alignment): no defining question")
    assert warnings[-1].startswith("warning: scoring.min_coverage: 0.5 is below 0.75")


@pytest.mark.django_db
def test_catalogue_command_load_method_2_catalogue_without_warnings():
    out, err = io.StringIO(), io.StringIO()

    call_command("catalogue", "load", str(FIXTURE_M2), stdout=out, stderr=err)

    assert out.getvalue().splitlines() == ["Loaded test-catalogue-m2 0.2 (48 questions)"]
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_catalogue_command_load_duplicate_key_names_it(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text(encoding="utf-8") + "version: '0.9'\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"duplicate key 'version' at line \d+"):
        call_command("catalogue", "load", str(bad))


@pytest.mark.django_db
def test_catalogue_command_export_method_2_shape(no_stored_catalogue):
    load_catalogue(text=FIXTURE_M2.read_text(encoding="utf-8"))
    out = io.StringIO()

    call_command("catalogue", "export", stdout=out)

    exported = json.loads(out.getvalue())
    assert exported["scoring"] == {
        "threshold": 0.7,
        "min_coverage": 0.8,
        "min_group_size": 2,
        "defining_min": 3,
        "agreement_min": 0.6,
    }
    question = exported["sections"][0]["questions"][1]
    assert {"code", "weight", "defining", "text", "help", "labels", "source"} <= set(question)
    assert (question["code"], question["defining"]) == ("AL-02", True)


@pytest.mark.django_db
def test_catalogue_command_load_invalid_file_raises_command_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("kind: enabler", "kind: x", 1))

    with pytest.raises(CommandError, match=r"sections\[4\]\.kind: expected 'enabler'"):
        call_command("catalogue", "load", str(bad))


@pytest.mark.django_db
def test_catalogue_command_load_missing_file_raises_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("catalogue", "load", str(tmp_path / "missing.yaml"))


@pytest.mark.django_db
def test_catalogue_command_export_prints_stored_catalogue(no_stored_catalogue):
    catalogue, _ = load_catalogue(text=FIXTURE.read_text(encoding="utf-8"))
    out = io.StringIO()

    call_command("catalogue", "export", stdout=out)

    assert json.loads(out.getvalue()) == export_catalogue(catalogue)
    assert "Vollständig" in out.getvalue()  # ensure_ascii=False
    assert out.getvalue().startswith('{\n  "slug"')  # indent 2


@pytest.mark.django_db
def test_catalogue_command_export_version_selects_and_rejects():
    text = FIXTURE.read_text(encoding="utf-8")
    load_catalogue(text=text)
    load_catalogue(text=text.replace("version: '0.1'", "version: '0.2'"))
    out = io.StringIO()

    call_command("catalogue", "export", "--version", "0.1", stdout=out)

    assert json.loads(out.getvalue())["version"] == "0.1"
    with pytest.raises(CommandError, match=r"no catalogue version 9\.9 is loaded"):
        call_command("catalogue", "export", "--version", "9.9")


@pytest.mark.django_db
@pytest.mark.skipif(not DEFAULT_CATALOGUE_PATH.exists(), reason="real catalogue not written yet")
def test_catalogue_command_export_empty_database_falls_back_to_default_file():
    out = io.StringIO()

    call_command("catalogue", "export", stdout=out)

    expected = export_data(parse_catalogue(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")))
    assert json.loads(out.getvalue()) == expected


# --------------------------------------------------------------------------- rescore


def _method_1_snapshot(personas, questions):
    with scope(organisation=personas.org_a):
        for question in questions[:10]:
            services.save_answer(respondent=personas.respondent, question=question, value=3)
        snapshot = services.close_assessment(assessment=personas.assessment)
        snapshot.data = {
            **snapshot.data,
            "result": {"stage": {"index": 0, "key": "silo"}, "position": 0.5},
        }
        snapshot.method = 1
        snapshot.save()
    return snapshot


def test_rescore_command_recomputes_one_assessment(personas, questions):
    old = _method_1_snapshot(personas, questions)
    out = io.StringIO()

    call_command("rescore", str(personas.assessment.pk), stdout=out)

    with scopes_disabled():
        snapshot = ResultSnapshot.objects.get(pk=old.pk)
    result = snapshot.data["result"]
    assert snapshot.method == 2
    assert snapshot.previous_results[0]["method"] == 1
    assert out.getvalue().splitlines() == [
        f"assessment {personas.assessment.pk}: method 1 silo (0.50) -> method 2 "
        f"{result['stage']['key']} ({scoring.round_half_up(result['position'], 2):.2f})"
    ]


def test_rescore_command_all_takes_only_other_methods(personas, questions):
    _method_1_snapshot(personas, questions)
    with scope(organisation=personas.org_b):
        personas.assessment_b.respondents.create(user=personas.users["outsider"], perspective="it")
        services.close_assessment(assessment=personas.assessment_b)
    out = io.StringIO()

    call_command("rescore", "--all", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"assessment {personas.assessment.pk}: method 1 silo (0.50)")
    assert lines[1] == "1 assessment(s) recomputed with method 2"
    with scopes_disabled():
        assert set(ResultSnapshot.objects.values_list("method", flat=True)) == {2}


def test_rescore_command_current_method_is_left_alone(personas):
    with scope(organisation=personas.org_a):
        snapshot = services.close_assessment(assessment=personas.assessment)
    out = io.StringIO()

    call_command("rescore", str(personas.assessment.pk), stdout=out)

    assert out.getvalue().strip() == (
        f"assessment {personas.assessment.pk}: already computed with method 2"
    )
    with scopes_disabled():
        assert ResultSnapshot.objects.get(pk=snapshot.pk).data == snapshot.data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "assessment 999999: no such assessment"),
        ([], "one of the arguments assessment_id --all is required"),
    ],
)
def test_rescore_command_bad_arguments_fail_cleanly(personas, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rescore", *args)


def test_rescore_command_open_assessment_fails_cleanly(personas):
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="Only a closed assessment can be recomputed"),
    ):
        call_command("rescore", str(personas.assessment.pk))
