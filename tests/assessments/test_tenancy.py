import pytest
from django_scopes import ScopeError, scope

from assessments.models import Answer, Assessment, Membership, Respondent, ResultSnapshot
from assessments.tenancy import membership_of

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


def test_membership_of_member_one_query(personas, django_assert_num_queries):
    user = personas.users["viewer"]
    with django_assert_num_queries(1):
        membership = membership_of(user, personas.org_a.slug)
        assert (membership.role, membership.organisation, membership.user) == (
            "viewer",
            personas.org_a,
            user,
        )
    with scope(organisation=personas.org_a):
        assert membership == Membership.objects.get(user=user, organisation=personas.org_a)
        assert membership.created_at is not None  # loaded when used


def test_membership_of_other_organisation_none(personas):
    assert membership_of(personas.users["owner"], personas.org_b.slug) is None
    assert membership_of(personas.users["owner"], "no-such-org") is None
