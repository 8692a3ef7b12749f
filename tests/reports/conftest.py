"""Fixtures of the reports tests: a closed assessment with business and IT groups large enough
for the perception gap, and a fake chart export (real kaleido renders are slow: only
tests/reports/test_svg.py starts a browser)."""

import random

import pytest
from django_scopes import scope

from assessments import services
from assessments.models import Answer, Respondent
from reports import svg

FAKE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="300" viewBox="0 0 700 300">'
    '<rect x="10" y="10" width="680" height="280" fill="#e4e8ee"/></svg>'
)
COMMENT = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def fake_svg(monkeypatch):
    """Replace the chart export with a stub; the list collects one entry per export."""
    calls = []

    def export(figure, *, width=700, height=None):
        calls.append(width)
        return FAKE_SVG

    monkeypatch.setattr(svg, "figure_to_svg", export)
    return calls


def answer_all(assessment, questions, perspectives, *, seed=7, shift=0.0):
    """Add respondents (no user: like workshop participants) and answer every question for
    them and for the assessment's existing respondents; then close. Returns the snapshot."""
    rng = random.Random(seed)
    Respondent.objects.bulk_create(
        Respondent(assessment=assessment, perspective=p) for p in perspectives
    )
    answers = []
    for index, respondent in enumerate(assessment.respondents.order_by("id")):
        for number, question in enumerate(questions):
            if rng.random() < 0.05:
                value = None
            else:
                level = 3.2 - question.section.order * 0.45 + shift
                value = max(0, min(4, round(rng.gauss(level, 0.9))))
            comment = COMMENT if (index == 1 and number == 0) else ""
            answers.append(
                Answer(respondent=respondent, question=question, value=value, comment=comment)
            )
    Answer.objects.bulk_create(answers)
    return services.close_assessment(assessment=assessment)


@pytest.fixture
def snapshot(personas, questions):
    """A's assessment closed with 3 business and 3 IT respondents (the respondent persona
    is R1, business)."""
    with scope(organisation=personas.org_a):
        return answer_all(
            personas.assessment, questions, ["business", "business", "it", "it", "it"]
        )


@pytest.fixture
def in_scope(personas):
    with scope(organisation=personas.org_a):
        yield
