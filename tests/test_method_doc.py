"""docs/method.md's worked example, recomputed with the scoring module: every figure the
document prints is the engine's."""

from pathlib import Path

from django.utils import translation

from assessments import scoring
from assessments.formatting import num

DOC = Path(__file__).resolve().parent.parent / "docs" / "method.md"
Q = scoring.QuestionSpec


def example() -> dict:
    spec = scoring.CatalogueSpec(
        sections=(
            scoring.SectionSpec("alignment", (Q("AL-01"),)),
            scoring.SectionSpec("integration", (Q("IN-01"),)),
            scoring.SectionSpec(
                "co_creation",
                (Q("CC-01", defining=True), Q("CC-02", defining=True), Q("CC-03"), Q("CC-04")),
            ),
            scoring.SectionSpec("fusion", (Q("FU-01"),)),
            scoring.SectionSpec("bizdevops", (Q("BD-01"),)),
            scoring.SectionSpec("dto", (Q("DT-01"),)),
        )
    )

    def respondent(perspective, cc02):
        answers = {"AL-01": 4, "IN-01": 4, "CC-01": 1, "CC-02": cc02, "CC-03": None}
        return scoring.ResponseSet(
            perspective, {**answers, "CC-04": 2, "FU-01": 0, "BD-01": 0, "DT-01": 0}
        )

    people = [respondent("business", 1)] * 2 + [respondent("it", 3)] * 9
    return scoring.score(spec, people)


def test_method_doc_worked_example_matches_the_engine():
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    result = example()
    cc02 = result["questions"]["CC-02"]
    section = result["sections"]["co_creation"]
    assert cc02["value"] == 2.0 and "= 22/11 = **2.0**" in text
    assert f"a ≈ 1 − 0.65/2 ≈ **{cc02['agreement']:.2f}**" in text and cc02["disputed"]
    assert section["coverage"] == 0.75 and section["sufficient"]
    assert f"5/12 ≈ **{section['fulfilment']:.2f}**" in text
    assert section["fulfilment_zero"] == 0.3125 and "= 0.3125" in text
    assert section["defining_met_count"] == 1 and not section["reached"]
    assert result["stage"]["index"] == 2
    assert f"≈ **{result['position']:.2f}**" in text
    with translation.override("en"):
        assert f"Integration ({num(result['position'], 1)})" in text
    assert result["next_stage_path"]["questions"] == ["CC-01", "CC-02"]
    assert '**CC-01: from "ad hoc" to "largely"; CC-02: from "partly" to "largely"**' in text
    assert result["robustness"]["robust"] and "No single answer changes the stage" in text
