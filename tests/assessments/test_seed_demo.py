"""seed_demo: the demo data with a closed assessment on catalogue 2026.2, idempotent."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from assessments.models import (
    Assessment,
    Consensus,
    ContextAnswer,
    PlanItem,
    ResultSnapshot,
)

pytestmark = pytest.mark.django_db


def counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Assessment, ContextAnswer, Consensus, PlanItem, ResultSnapshot)
        }


def test_seed_demo_creates_2026_2_assessment_and_is_idempotent(catalogue):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert counts() == first
    assert "unchanged" in out.getvalue()
    with scopes_disabled():
        closed = Assessment.objects.get(catalogue__version="2026.2", status="closed")
        groups = closed.snapshot.data["result"]["groups"]
        assert set(groups) == {"business", "it"}  # both groups reach k
        assert ContextAnswer.objects.filter(respondent__assessment=closed).exists()
        assert PlanItem.objects.filter(assessment=closed).count() == 2
        assert Consensus.objects.filter(assessment=closed).count() == 1
        assert closed.snapshot.data["rounds"]  # the workshop's second vote
        older = Assessment.objects.filter(catalogue__version="2026.1", status="closed")
        assert older.count() == 2
