import pytest
from django_scopes import ScopeError, scope

from assessments.models import Answer, Assessment, Membership, Respondent, ResultSnapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Assessment, Membership, Respondent, Answer, ResultSnapshot])
def test_query_without_organisation_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_scoped_query_sees_only_own_organisation(personas):
    with scope(organisation=personas.org_b):
        assert list(Assessment.objects.all()) == [personas.assessment_b]
    with scope(organisation=personas.org_a):
        assert list(Assessment.objects.all()) == [personas.assessment]
