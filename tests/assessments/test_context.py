"""Context questions (catalogue 2026.2): unscored, distributions only from k answers."""

import pytest
from django.urls import reverse
from django_scopes import scope

from assessments import context, services
from assessments.models import ContextAnswer, ContextQuestion

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def context_questions(personas):
    return list(ContextQuestion.objects.filter(catalogue=personas.assessment.catalogue))


def add_respondent(personas, perspective="it"):
    with scope(organisation=personas.org_a):
        member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
        return personas.assessment.respondents.create(user=member.user, perspective=perspective)


def answer_context(personas, respondent, option_index=0):
    answers = {q: q.options[option_index]["key"] for q in context_questions(personas)}
    with scope(organisation=personas.org_a):
        services.save_context_answers(respondent=respondent, answers=answers)


def test_context_answers_never_change_the_scoring(personas_2026_2):
    personas = personas_2026_2
    with scope(organisation=personas.org_a):
        for question in personas.assessment.catalogue.questions.all()[:20]:
            services.save_answer(respondent=personas.respondent, question=question, value=2)
        before = services.compute_result(assessment=personas.assessment)

    answer_context(personas, personas.respondent, option_index=1)
    answer_context(personas, add_respondent(personas), option_index=0)

    with scope(organisation=personas.org_a):
        _inputs, result = services.compute_result(assessment=personas.assessment)
    assert result["stage"] == before[1]["stage"]
    assert result["position"] == before[1]["position"]
    assert result["sections"] == before[1]["sections"]
    assert not set(result["questions"]) & {q.code for q in context_questions(personas)}


def test_context_distribution_hidden_below_k_and_shown_at_k(personas_2026_2):
    personas = personas_2026_2
    k = personas.assessment.catalogue.min_group_size
    answer_context(personas, personas.respondent)
    for _ in range(k - 2):
        answer_context(personas, add_respondent(personas))

    with scope(organisation=personas.org_a):
        hidden = context.distribution(personas.assessment)
    assert all(not item["shown"] and item["rows"] == [] for item in hidden)

    answer_context(personas, add_respondent(personas), option_index=1)
    with scope(organisation=personas.org_a):
        shown = context.distribution(personas.assessment)

    first = shown[0]
    assert first["shown"] and first["answered"] == k
    counts = {row["key"]: row["count"] for row in first["rows"]}
    assert counts[first["question"].options[0]["key"]] == k - 1
    assert counts[first["question"].options[1]["key"]] == 1


def test_save_context_answers_unknown_option_writes_nothing(personas_2026_2):
    personas = personas_2026_2
    first, second = context_questions(personas)[:2]

    with scope(organisation=personas.org_a), pytest.raises(ValueError):
        services.save_context_answers(
            respondent=personas.respondent,
            answers={first: first.options[0]["key"], second: "no-such-option"},
        )

    with scope(organisation=personas.org_a):
        assert not ContextAnswer.objects.filter(respondent=personas.respondent).exists()


def context_url(personas):
    return reverse(
        "questionnaire_context",
        kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk},
    )


def test_questionnaire_context_page_saves_and_takes_back_answers(client, personas_2026_2):
    personas = personas_2026_2
    first, second = context_questions(personas)[:2]
    client.force_login(personas.users["respondent"])

    page = client.get(context_url(personas), HTTP_ACCEPT_LANGUAGE="en")
    assert first.text_en in page.content.decode()

    response = client.post(
        context_url(personas),
        {first.code: first.options[2]["key"], second.code: "", "next": "1"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("/questionnaire/submit/")
    with scope(organisation=personas.org_a):
        stored = dict(
            ContextAnswer.objects.filter(respondent=personas.respondent).values_list(
                "question__code", "option"
            )
        )
    assert stored == {first.code: first.options[2]["key"]}

    client.post(context_url(personas), {first.code: "", "save": "1"})
    with scope(organisation=personas.org_a):
        assert not ContextAnswer.objects.filter(respondent=personas.respondent).exists()


def test_questionnaire_context_bad_option_shows_error_and_saves_nothing(client, personas_2026_2):
    personas = personas_2026_2
    first = context_questions(personas)[0]
    client.force_login(personas.users["respondent"])

    response = client.post(context_url(personas), {first.code: "bogus"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Some entries were not saved" in response.content.decode()
    with scope(organisation=personas.org_a):
        assert not ContextAnswer.objects.filter(respondent=personas.respondent).exists()


def test_questionnaire_context_locked_after_submit(client, personas_2026_2):
    personas = personas_2026_2
    first = context_questions(personas)[0]
    with scope(organisation=personas.org_a):
        services.submit_respondent(respondent=personas.respondent)
    client.force_login(personas.users["respondent"])

    client.post(context_url(personas), {first.code: first.options[0]["key"]})

    with scope(organisation=personas.org_a):
        assert not ContextAnswer.objects.filter(respondent=personas.respondent).exists()


def test_questionnaire_context_without_context_questions_leads_to_review(client, personas):
    client.force_login(personas.users["respondent"])

    response = client.get(context_url(personas))

    assert response.status_code == 302
    assert response["Location"].endswith("/questionnaire/submit/")
