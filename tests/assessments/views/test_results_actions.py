"""The results page with catalogue 2026.2: roadmap of actions, heatmap, context answers; an
assessment on 2026.1 keeps its section recommendations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from assessments import services
from assessments.models import ContextQuestion

from ...factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEVELS = {"alignment": 4, "integration": 3, "co_creation": 1, "fusion": 0}


def results_url(personas):
    return reverse(
        "results", kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk}
    )


def close_with_respondents(personas, perspectives, *, context_answers=True):
    questions = list(personas.assessment.catalogue.questions.select_related("section"))
    context = list(ContextQuestion.objects.filter(catalogue=personas.assessment.catalogue))
    with scope(organisation=personas.org_a):
        respondents = [personas.respondent]
        for perspective in perspectives:
            member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
            respondents.append(
                personas.assessment.respondents.create(user=member.user, perspective=perspective)
            )
        for respondent in respondents:
            for q in questions:
                services.save_answer(
                    respondent=respondent, question=q, value=LEVELS.get(q.section.key, 2)
                )
            if context_answers and context:
                services.save_context_answers(
                    respondent=respondent, answers={q: q.options[0]["key"] for q in context}
                )
        return services.close_assessment(assessment=personas.assessment)


def test_results_2026_2_show_actions_heatmap_and_context(client, personas_2026_2):
    personas = personas_2026_2
    close_with_respondents(personas, ["business", "business", "it", "it", "it"])
    client.force_login(personas.users["viewer"])

    page = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Roadmap of actions" in page
    assert "To reach the next stage, start with" in page
    assert 'id="fig-heatmap"' in page and 'id="fig-heatmap-groups"' in page
    assert "Fulfilment by dimension and section" in page
    assert "Context: outcomes and business model" in page
    assert "Recommendations per section" not in page
    # Alignment stands at 4 and integration at 3: none of their actions is listed.
    alignment_action = personas.assessment.catalogue.questions.get(code="AL-11").action["title"][
        "en"
    ]
    assert alignment_action not in page


def test_results_2026_2_context_below_k_not_shown(client, personas_2026_2):
    personas = personas_2026_2
    close_with_respondents(personas, ["it"])
    client.force_login(personas.users["viewer"])

    page = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Fewer than 3 answers: not shown" in page
    assert 'id="fig-heatmap-groups"' not in page


def test_results_2026_1_keep_section_recommendations(client, personas):
    with scope(organisation=personas.org_a):
        for q in personas.assessment.catalogue.questions.select_related("section"):
            services.save_answer(respondent=personas.respondent, question=q, value=2)
        services.close_assessment(assessment=personas.assessment)
    client.force_login(personas.users["viewer"])

    page = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Recommendations per section" in page
    assert "Roadmap of actions" not in page


def test_results_2026_2_query_count_constant_in_respondents(client, personas_2026_2):
    personas = personas_2026_2
    close_with_respondents(personas, ["business", "it"])
    client.force_login(personas.users["viewer"])
    client.get(results_url(personas))  # warm the per-process catalogue cache

    with CaptureQueriesContext(connection) as few:
        client.get(results_url(personas))
    with scope(organisation=personas.org_a):
        personas.assessment.status = "open"
        personas.assessment.save(update_fields=["status"])
    close_with_respondents(personas, ["business", "it", "it", "business", "it"])
    with CaptureQueriesContext(connection) as many:
        client.get(results_url(personas))

    assert len(many) == len(few)
