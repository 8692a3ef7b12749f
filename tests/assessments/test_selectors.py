import datetime

import pytest
from django_scopes import scope

from assessments import selectors, services
from assessments.models import Answer

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_own_questionnaire_respondent_assessment_catalogue_answers_two_queries(
    personas, questions, django_assert_num_queries
):
    with scope(organisation=personas.org_a):
        services.save_answer(
            respondent=personas.respondent, question=questions[0], value=3, comment="Protokoll"
        )
        services.save_answer(respondent=personas.respondent, question=questions[1], value=None)
        stored = {a.question_id: a for a in Answer.objects.filter(respondent=personas.respondent)}
        with django_assert_num_queries(2):
            respondent, answers = selectors.own_questionnaire(
                organisation=personas.org_a,
                assessment_id=personas.assessment.pk,
                user=personas.users["respondent"],
            )
            assert respondent == personas.respondent
            assert respondent.assessment == personas.assessment
            assert respondent.assessment.catalogue == personas.assessment.catalogue
            assert respondent.assessment.organisation == personas.org_a
            assert respondent.user == personas.users["respondent"]
    assert set(answers) == set(stored)
    for question_id, answer in answers.items():
        expected = stored[question_id]
        assert (answer.value, answer.comment, answer.updated_at) == (
            expected.value,
            expected.comment,
            expected.updated_at,
        )
        assert isinstance(answer.updated_at, datetime.datetime) and answer.updated_at.tzinfo


def test_own_questionnaire_only_the_questionnaire_round(personas, questions):
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=1)
        services.save_answer(
            respondent=personas.respondent, question=questions[1], value=2, round=2
        )
        _respondent, answers = selectors.own_questionnaire(
            organisation=personas.org_a,
            assessment_id=personas.assessment.pk,
            user=personas.users["respondent"],
        )
        assert set(answers) == {questions[0].pk}
        assert selectors.answered_count(respondent=personas.respondent) == 1


def test_own_questionnaire_without_answers(personas):
    with scope(organisation=personas.org_a):
        respondent, answers = selectors.own_questionnaire(
            organisation=personas.org_a,
            assessment_id=personas.assessment.pk,
            user=personas.users["respondent"],
        )
    assert respondent == personas.respondent and answers == {}


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger"])
def test_own_questionnaire_not_theirs_none(personas, who):
    user = UserFactory() if who == "stranger" else personas.users[who]
    with scope(organisation=personas.org_a):
        found = selectors.own_questionnaire(
            organisation=personas.org_a, assessment_id=personas.assessment.pk, user=user
        )
    assert found is None


def test_own_questionnaire_other_organisation_none(personas):
    # The assessment exists, but not in the organisation of the URL.
    with scope(organisation=personas.org_b):
        found = selectors.own_questionnaire(
            organisation=personas.org_b,
            assessment_id=personas.assessment.pk,
            user=personas.users["respondent"],
        )
    assert found is None


def test_catalogue_question_by_code_without_query_once_read(
    personas, questions, django_assert_num_queries
):
    catalogue = personas.assessment.catalogue
    selectors.catalogue_sections(catalogue=catalogue)
    with django_assert_num_queries(0):
        assert (
            selectors.catalogue_question(catalogue=catalogue, code=questions[3].code)
            == (questions[3])
        )
        assert selectors.catalogue_question(catalogue=catalogue, code="XX-99") is None
