import datetime

import pytest
from django_scopes import scope

from assessments import selectors, services
from assessments.models import Answer

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_own_questionnaire_respondent_assessment_catalogue_answers_one_query(
    personas, questions, django_assert_num_queries
):
    with scope(organisation=personas.org_a):
        services.save_answer(
            respondent=personas.respondent, question=questions[0], value=3, comment="Protokoll"
        )
        services.save_answer(respondent=personas.respondent, question=questions[1], value=None)
        stored = {a.question_id: a for a in Answer.objects.filter(respondent=personas.respondent)}
    with django_assert_num_queries(1):
        respondent, answers = selectors.own_questionnaire(
            organisation=personas.org_a,
            assessment_id=personas.assessment.pk,
            user=personas.users["respondent"],
        )
        assert respondent == personas.respondent
        assert respondent.assessment == personas.assessment
        assert respondent.assessment.catalogue == personas.assessment.catalogue
        assert respondent.assessment.organisation == personas.org_a
        assert respondent.assessment.catalogue.loaded_at == personas.assessment.catalogue.loaded_at
    assert set(answers) == set(stored)
    for question_id, answer in answers.items():
        expected = stored[question_id]
        assert (answer.value, answer.comment, answer.updated_at) == (
            expected.value,
            expected.comment,
            expected.updated_at,
        )
        assert isinstance(answer.updated_at, datetime.datetime) and answer.updated_at.tzinfo


def test_own_questionnaire_without_answers(personas):
    respondent, answers = selectors.own_questionnaire(
        organisation=personas.org_a,
        assessment_id=personas.assessment.pk,
        user=personas.users["respondent"],
    )
    assert respondent == personas.respondent and answers == {}


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger"])
def test_own_questionnaire_not_theirs_none(personas, who):
    user = UserFactory() if who == "stranger" else personas.users[who]
    assert (
        selectors.own_questionnaire(
            organisation=personas.org_a, assessment_id=personas.assessment.pk, user=user
        )
        is None
    )


def test_own_questionnaire_other_organisation_none(personas):
    # The assessment exists, but not in the organisation of the URL.
    assert (
        selectors.own_questionnaire(
            organisation=personas.org_b,
            assessment_id=personas.assessment.pk,
            user=personas.users["respondent"],
        )
        is None
    )
