import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_scopes import scope

from assessments import narrative, scoring, selectors, services
from assessments.models import ResultSnapshot
from assessments.views import results as results_views

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
    # what holds the organisation back: Co-Creation questions, with the answer each needs
    co_q = next(q for q in questions if q.section.key == "co_creation")
    assert co_q.text_en in html and "from “ad hoc” to “largely”" in html


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


# --------------------------------------------------------------------------- method 2 reading

METHOD_2_KEYS = ("method", "robustness", "position_if_unanswered", "next_stage_path")


def as_method_1(snapshot, blockers=("CC-01",)):
    """Turn a stored result into what method 1 stored: no method-2 keys, "blockers"."""
    data = dict(snapshot.data)
    result = {k: v for k, v in data["result"].items() if k not in METHOD_2_KEYS}
    data["result"] = {**result, "blockers": list(blockers)}
    snapshot.data = data
    snapshot.method = 1
    snapshot.save(update_fields=["data", "method"])
    return snapshot


def earlier_assessment(personas, questions, value, *, days_ago=300):
    """Another closed assessment of organisation A, older than the persona's."""
    with scope(organisation=personas.org_a):
        earlier = services.create_assessment(
            organisation=personas.org_a,
            created_by=personas.users["owner"],
            title="Earlier round",
            catalogue=personas.assessment.catalogue,
            target_stage=3,
            respondents=[(UserFactory(username="earlier-it"), "it")],
        )
        respondent = earlier.respondents.get()
        for q in questions:
            services.save_answer(respondent=respondent, question=q, value=value)
        snapshot = services.close_assessment(assessment=earlier)
        when = snapshot.created_at - timedelta(days=days_ago)
        snapshot.created_at = when
        snapshot.save(update_fields=["created_at"])
        earlier.closed_at = when
        earlier.save(update_fields=["closed_at"])
        return snapshot


def answer_persona(personas, questions, value):
    with scope(organisation=personas.org_a):
        for q in questions:
            services.save_answer(respondent=personas.respondent, question=q, value=value)


def test_results_show_trust_statement_path_and_agreement_words(client, personas, questions):
    add_respondents(personas, questions, "it", 2, 2)
    answer_persona(personas, questions, 2)
    snapshot = close(personas)
    result = snapshot.data["result"]
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How far to trust the stage" in html
    assert "Answered by 3 people (1 business, 2 IT)." in html
    with translation.override("en"):
        assert narrative.robustness_verdict(result) in html
    # The path: the engine's questions in its order, each with the answer it needs.
    path = result["next_stage_path"]["questions"]
    positions = [html.index(f"<strong>{code}</strong>") for code in path]
    assert positions == sorted(positions)
    assert "from “partly” to “largely”" in html
    assert not re.search(r"priority \d", html)
    # Agreement as r_wg in words: everyone answered the same.
    assert "everyone the same" in html and "Spread σ" not in html


def test_results_list_disputed_questions_first(client, personas, questions):
    add_respondents(personas, questions[:1], "it", 2, 4)
    answer_persona(personas, questions, 0)
    add_respondents(personas, questions[1:], "it", 0, 0)
    snapshot = close(personas)
    first_code = questions[0].code
    assert snapshot.data["result"]["questions"][first_code]["disputed"]
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = re.findall(r'data-question="([A-Z]+-\d+)"', html)
    disputed = [c for c, q in snapshot.data["result"]["questions"].items() if q["disputed"]]
    assert set(rows[: len(disputed)]) == set(disputed)


def test_results_progress_compares_the_same_method_and_says_so(client, personas, questions):
    earlier = earlier_assessment(personas, questions, 1)
    as_method_1(earlier)
    answer_persona(personas, questions, 3)
    close(personas)
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Progress" in html and "Earlier round" in html
    with scope(organisation=personas.org_a):
        recomputed = selectors.result_for_comparison(snapshot=earlier)
    # The earlier figures are method 2's, recomputed from its answers, and the page says so.
    then = scoring.round_result(recomputed)["position"]
    assert f">{then:.2f} <" in html
    assert "recomputed from its stored answers for this comparison" in html
    # The date is the earlier assessment's close, not the day a result was stored.
    earlier.assessment.refresh_from_db()
    with translation.override("en"):
        expected = date_format(timezone.localtime(earlier.assessment.closed_at), "DATE_FORMAT")
    assert f"“Earlier round” of {expected}" in html


def test_results_progress_of_same_method_results_says_nothing_about_recomputing(
    client, personas, questions
):
    earlier_assessment(personas, questions, 1)
    answer_persona(personas, questions, 3)
    close(personas)
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Earlier round" in html and "recomputed" not in html


def test_results_query_count_constant_in_questions_and_respondents(
    client, personas, questions, django_assert_num_queries
):
    earlier_assessment(personas, questions, 1)
    answer_persona(personas, questions[:5], 2)
    close(personas)
    client.force_login(personas.users["owner"])
    with CaptureQueriesContext(connection) as small:
        client.get(results_url(personas))
    with scope(organisation=personas.org_a):
        services.reopen_assessment(assessment=personas.assessment)
    answer_persona(personas, questions, 3)
    add_respondents(personas, questions, "it", 6, 2)
    close(personas)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(results_url(personas))


def recompute_url(personas):
    return reverse(
        "results_recompute", kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk}
    )


def test_recompute_get_is_a_confirmation_that_changes_nothing(client, personas, questions):
    answer_persona(personas, questions, 2)
    as_method_1(close(personas))
    client.force_login(personas.users["consultant"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recompute with method 2" in html
    response = client.get(recompute_url(personas), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The stored result was computed with method 1" in page
    assert f'action="{recompute_url(personas)}"' in page
    with scope(organisation=personas.org_a):
        assert ResultSnapshot.objects.get(assessment=personas.assessment).method == 1


def test_recompute_post_stores_method_2_and_keeps_the_earlier_result_readable(
    client, personas, questions
):
    answer_persona(personas, questions, 2)
    old = as_method_1(close(personas))
    old_headline = narrative.headline(old.data["result"])
    client.force_login(personas.users["owner"])
    response = client.post(recompute_url(personas), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == results_url(personas)
    with scope(organisation=personas.org_a):
        snapshot = ResultSnapshot.objects.get(assessment=personas.assessment)
    assert snapshot.method == 2 and "robustness" in snapshot.data["result"]
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The result is recomputed with method 2." in html
    with translation.override("en"):
        assert f"Earlier result (method 1): {narrative.headline(old.data['result'])}" in html
    assert old_headline
    assert "Recompute with method" not in html


def test_recompute_of_a_current_method_result_changes_nothing(client, personas, questions):
    answer_persona(personas, questions, 2)
    snapshot = close(personas)
    client.force_login(personas.users["owner"])
    response = client.post(recompute_url(personas), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "already computed with the current method 2" in response.content.decode()
    with scope(organisation=personas.org_a):
        assert ResultSnapshot.objects.get(pk=snapshot.pk).data == snapshot.data


def test_recompute_refused_to_a_viewer_and_button_hidden(client, personas, questions):
    answer_persona(personas, questions, 2)
    as_method_1(close(personas))
    client.force_login(personas.users["viewer"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recompute with method" not in html
    assert client.post(recompute_url(personas)).status_code == 403
    with scope(organisation=personas.org_a):
        assert ResultSnapshot.objects.get(assessment=personas.assessment).method == 1


def test_results_of_a_method_1_result_still_render(client, personas, questions):
    answer_persona(personas, questions, 2)
    as_method_1(close(personas))
    client.force_login(personas.users["viewer"])
    response = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Methode 1" in html and "Keine einzelne Antwort" not in html


def test_methodology_shows_all_five_parameters_of_the_active_catalogue(client, catalogue):
    catalogue.threshold, catalogue.min_coverage, catalogue.agreement_min = 0.65, 0.8, 0.75
    catalogue.min_group_size, catalogue.defining_min = 4, 3
    catalogue.save()
    html = client.get(reverse("methodology"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "threshold θ = 0.65, minimum coverage c_min = 0.80, minimum group size k = 4, "
        "defining minimum d = 3, agreement minimum r_min = 0.75."
    ) in html
    assert "Worked example" in html and "“Integration (2.3)”" in html


def test_methodology_without_a_catalogue_shows_the_method_defaults(client, db, monkeypatch):
    monkeypatch.setattr(results_views, "active_catalogue", lambda: None)
    html = client.get(reverse("methodology"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    defaults = scoring.Parameters()
    assert defaults.min_coverage == 0.75
    assert (
        "Schwelle θ = 0,60, Mindestabdeckung c_min = 0,75, Mindestgruppengröße k = 3, "
        "Mindestwert prägender Fragen d = 2, Mindestübereinstimmung r_min = 0,70."
    ) in html
    assert "Durchgerechnetes Beispiel" in html
