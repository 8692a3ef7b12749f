import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from assessments import narrative, scoring, services

from ...factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def results_url(personas):
    return reverse(
        "results", kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk}
    )


def add_respondents(personas, questions, perspective, count, value):
    with scope(organisation=personas.org_a):
        for _ in range(count):
            member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
            respondent = personas.assessment.respondents.create(
                user=member.user, perspective=perspective
            )
            for q in questions:
                services.save_answer(respondent=respondent, question=q, value=value)


def close(personas):
    with scope(organisation=personas.org_a):
        return services.close_assessment(assessment=personas.assessment)


def test_results_without_snapshot_explains(client, personas):
    client.force_login(personas.users["viewer"])
    response = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "There is no result yet" in response.content.decode()


def test_results_show_stage_the_scoring_computes(client, personas, questions):
    with scope(organisation=personas.org_a):
        for q in questions:
            level = {"alignment": 4, "integration": 3, "co_creation": 1}.get(q.section.key, 0)
            services.save_answer(respondent=personas.respondent, question=q, value=level)
    snapshot = close(personas)
    result = snapshot.data["result"]
    assert result["stage"]["key"] == "integration"
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    position = scoring.round_result(result)["position"]
    assert f"Integration ({position:.1f})" in html
    assert 'data-figure="fig-radar"' in html and 'id="fig-radar"' in html
    # what holds the organisation below Co-Creation, with the anchored label of the answer
    co_q = next(q for q in questions if q.section.key == "co_creation")
    assert co_q.text_en in html and co_q.labels_en[1] in html


def test_results_in_german_use_german_labels_and_decimal_comma(client, personas, questions):
    with scope(organisation=personas.org_a):
        for q in questions:
            services.save_answer(respondent=personas.respondent, question=q, value=3)
    snapshot = close(personas)
    client.force_login(personas.users["owner"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert snapshot.data["result"]["stage"]["index"] == 4
    assert "Fusion / Konvergenz (4,0)" in html


def test_perception_gap_hidden_below_k_and_shown_at_k(client, personas, questions):
    # business: the persona respondent (no answers yet) + 1; IT: 3
    add_respondents(personas, questions, "business", 1, 3)
    add_respondents(personas, questions, "it", 3, 1)
    close(personas)
    client.force_login(personas.users["owner"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gap business − IT" not in html and "fig-gap" not in html
    assert "at least 3 respondents" in html

    with scope(organisation=personas.org_a):
        services.reopen_assessment(assessment=personas.assessment)
    # business now has 3 who answered (the persona respondent is blank and does not count)
    add_respondents(personas, questions, "business", 2, 3)
    close(personas)
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gap business − IT" in html and 'id="fig-gap"' in html
    assert "+50 pp" in html  # business 3/4 minus IT 1/4: percentage points


def test_results_query_count_constant_in_respondents(client, personas, questions):
    add_respondents(personas, questions, "business", 1, 2)
    close(personas)
    client.force_login(personas.users["owner"])
    with CaptureQueriesContext(connection) as small:
        client.get(results_url(personas))
    with scope(organisation=personas.org_a):
        services.reopen_assessment(assessment=personas.assessment)
    add_respondents(personas, questions, "it", 9, 3)
    close(personas)
    with CaptureQueriesContext(connection) as large:
        client.get(results_url(personas))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_result_view_warning_texts_are_plain_words(personas, questions):
    with scope(organisation=personas.org_a):
        snapshot = close(personas)
        from assessments import selectors

        sections = selectors.catalogue_sections(catalogue=personas.assessment.catalogue)
    view = narrative.result_view(snapshot.data["result"], sections)
    assert view["stage_label"] == "Silo"
    assert len(view["warnings"]) == 6  # no answers: every section has too few
    assert all("insufficient_data" not in w for w in view["warnings"])


def test_agreement_change_across_rounds_shown(client, personas, questions):
    """Two rounds on one question: agreement (r_wg) rises from 0 (answers 0 and 2: sample
    variance 2) to 1."""
    add_respondents(personas, questions[:1], "it", 1, 0)
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=2)
        for respondent in personas.assessment.respondents.all():
            services.save_answer(respondent=respondent, question=questions[0], value=3, round=2)
    snapshot = close(personas)
    first, last = snapshot.data["rounds"][questions[0].code]
    assert (first["round"], first["n"], first["agreement"]) == (1, 2, 0.0)
    assert (last["round"], last["agreement"]) == (2, 1.0)
    assert snapshot.data["result"]["questions"][questions[0].code]["value"] == 3
    client.force_login(personas.users["owner"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Agreement across voting rounds" in html and "+100 pp" in html
