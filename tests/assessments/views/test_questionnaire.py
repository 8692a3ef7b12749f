import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments import services
from assessments.catalogue import load_catalogue
from assessments.models import Answer

from ...assessments.test_catalogue import FIXTURE
from ...factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(personas, name, **extra):
    return reverse(
        name, kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk, **extra}
    )


@pytest.fixture
def respondent_client(client, personas):
    client.force_login(personas.users["respondent"])
    return client


def stored(personas):
    with scopes_disabled():
        return dict(
            Answer.objects.filter(respondent=personas.respondent).values_list(
                "question__code", "value"
            )
        )


def test_autosave_stores_answer_and_confirms(respondent_client, personas):
    response = respondent_client.post(
        url(personas, "questionnaire_save"),
        {"question": "AL-01", "value": "3", "ts": "1000", "comment": "Steering board minutes"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and data["ts"] == 1000 and data["answered"] == 1
    assert stored(personas) == {"AL-01": 3}


def test_autosave_dont_know_stored_as_null(respondent_client, personas):
    respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-02", "value": "dk", "ts": "5"}
    )
    assert stored(personas) == {"AL-02": None}


@pytest.mark.parametrize(
    "data",
    [
        {"question": "AL-01", "value": "7", "ts": "1"},
        {"question": "AL-01", "value": "", "ts": "1"},
        {"question": "AL-01", "value": "2", "ts": "yesterday"},
        {"question": "AL-01", "value": "2"},
    ],
)
def test_autosave_bad_input_400_and_nothing_stored(respondent_client, personas, data):
    response = respondent_client.post(url(personas, "questionnaire_save"), data)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert stored(personas) == {}


def test_autosave_unknown_question_404(respondent_client, personas):
    response = respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "XX-99", "value": "2", "ts": "1"}
    )
    assert response.status_code == 404


def test_autosave_after_submit_409(respondent_client, personas):
    with scope(organisation=personas.org_a):
        services.submit_respondent(respondent=personas.respondent)
    response = respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-01", "value": "2", "ts": "1"}
    )
    assert response.status_code == 409
    assert stored(personas) == {}


def test_autosave_signed_out_is_not_a_confirmation(client, personas):
    response = client.post(
        url(personas, "questionnaire_save"), {"question": "AL-01", "value": "2", "ts": "1"}
    )
    assert response.status_code == 302
    assert stored(personas) == {}


def test_section_page_shows_anchored_labels_and_saved_answer(
    respondent_client, personas, questions
):
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=2)
    response = respondent_client.get(
        url(personas, "questionnaire_section", section_key="alignment"), HTTP_ACCEPT_LANGUAGE="de"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert questions[0].labels_de[2] in html
    assert 'id="q-AL-01-2" value="2" checked' in html
    assert "Weiß nicht" in html or "Don't know" in html
    assert "<fieldset" in html and "<legend" in html


def test_section_page_unknown_section_404(respondent_client, personas):
    response = respondent_client.get(url(personas, "questionnaire_section", section_key="nope"))
    assert response.status_code == 404


def test_plain_form_without_javascript_saves_section(respondent_client, personas, questions):
    alignment = [q for q in questions if q.section.key == "alignment"]
    data = {f"q-{q.code}": str(i % 5) for i, q in enumerate(alignment)}
    data[f"q-{alignment[0].code}"] = "dk"
    data[f"c-{alignment[1].code}"] = "Nur bei Großprojekten"
    data["next"] = ""
    response = respondent_client.post(
        url(personas, "questionnaire_section", section_key="alignment"), data
    )
    assert response.status_code == 302
    assert response.url.endswith("/questionnaire/integration/")
    answers = stored(personas)
    assert len(answers) == len(alignment)
    assert answers[alignment[0].code] is None
    with scopes_disabled():
        assert Answer.objects.get(question=alignment[1]).comment == "Nur bei Großprojekten"


def test_plain_form_garbage_value_not_saved_and_marked(respondent_client, personas):
    response = respondent_client.post(
        url(personas, "questionnaire_section", section_key="alignment"),
        {"q-AL-01": "9", "q-AL-02": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-AL-01"' in html and 'id="error-AL-02"' not in html
    assert stored(personas) == {"AL-02": 1}


def test_resume_goes_to_first_unanswered_question(respondent_client, personas, questions):
    with scope(organisation=personas.org_a):
        alignment = [q for q in questions if q.section.key == "alignment"]
        for q in alignment:
            services.save_answer(respondent=personas.respondent, question=q, value=1)
    response = respondent_client.get(url(personas, "questionnaire"))
    first_integration = next(q for q in questions if q.section.key == "integration")
    assert response.status_code == 302
    assert response.url.endswith(f"/questionnaire/integration/#q-{first_integration.code}")


def test_submit_shows_unanswered_count_then_locks(respondent_client, personas, questions):
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=1)
    page = respondent_client.get(url(personas, "questionnaire_submit"), HTTP_ACCEPT_LANGUAGE="en")
    assert f"{len(questions) - 1} questions are still unanswered" in page.content.decode()
    respondent_client.post(url(personas, "questionnaire_submit"))
    response = respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-02", "value": "2", "ts": "9"}
    )
    assert response.status_code == 409


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_section_page_query_count_constant_in_questions_and_respondents(
    client, personas, questions, django_assert_num_queries
):
    """Real catalogue (10 questions a section) vs the small test catalogue (8), and one vs
    twelve respondents: the same number of queries."""
    client.force_login(personas.users["respondent"])
    path = url(personas, "questionnaire_section", section_key="alignment")
    client.get(path)  # the process caches the catalogue after its first read
    baseline = _queries(client, path)
    # The session, its user, the membership with its organisation, the respondent with
    # assessment and catalogue, the answers (the catalogue is cached by the process).
    assert baseline == 5

    with scope(organisation=personas.org_a):
        for q in questions[:15]:
            services.save_answer(respondent=personas.respondent, question=q, value=1)
        for _ in range(11):
            member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
            respondent = personas.assessment.respondents.create(user=member.user, perspective="it")
            for q in questions[:10]:
                services.save_answer(respondent=respondent, question=q, value=2)
    assert _queries(client, path) == baseline

    small, _ = load_catalogue(text=FIXTURE.read_text(encoding="utf-8"))
    with scope(organisation=personas.org_a):
        other = services.create_assessment(
            organisation=personas.org_a,
            created_by=personas.users["owner"],
            title="Small",
            catalogue=small,
            target_stage=None,
            respondents=[(personas.users["respondent"], "business")],
        )
    small_path = reverse(
        "questionnaire_section",
        kwargs={"org_slug": personas.org_a.slug, "pk": other.pk, "section_key": "alignment"},
    )
    client.get(small_path)
    with django_assert_num_queries(baseline):
        client.get(small_path)


def test_autosave_query_count_fixed(respondent_client, personas, django_assert_num_queries):
    respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-01", "value": "1", "ts": "1"}
    )
    with CaptureQueriesContext(connection) as ctx:
        respondent_client.post(
            url(personas, "questionnaire_save"), {"question": "AL-02", "value": "1", "ts": "2"}
        )
    with django_assert_num_queries(len(ctx.captured_queries)):
        respondent_client.post(
            url(personas, "questionnaire_save"), {"question": "AL-03", "value": "1", "ts": "3"}
        )
    # The session, its user, the membership, the respondent with assessment and catalogue;
    # in one transaction (a savepoint in tests) the respondent's row locked while it may
    # answer, the stored answer, its insert or update; then the progress count.
    assert len(ctx.captured_queries) == 1 + 1 + 1 + 1 + (1 + 1 + 1 + 1 + 1) + 1


def test_autosave_progress_counts_new_answers_not_changes(respondent_client, personas):
    def save(code, value, ts):
        return respondent_client.post(
            url(personas, "questionnaire_save"), {"question": code, "value": value, "ts": ts}
        ).json()

    assert save("AL-01", "1", "10")["answered"] == 1
    assert save("AL-02", "dk", "11")["answered"] == 2
    changed = save("AL-01", "4", "12")
    assert (changed["applied"], changed["answered"]) == (True, 2)
    stale = save("AL-01", "0", "5")  # an old retry arriving late
    assert (stale["applied"], stale["answered"]) == (False, 2)
    assert stored(personas) == {"AL-01": 4, "AL-02": None}


def test_autosave_removed_member_404_and_nothing_stored(respondent_client, personas):
    with scope(organisation=personas.org_a):
        personas.org_a.memberships.filter(user=personas.users["respondent"]).delete()
    response = respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-01", "value": "2", "ts": "1"}
    )
    assert response.status_code == 404
    assert stored(personas) == {}


# Probe findings: bad numbers, clocks running ahead, lost clicks, comments without an answer.


@pytest.mark.parametrize("ts", ["9" * 25, str(2**63), str(2**53), "-" + "9" * 25])
def test_autosave_ts_out_of_range_400_and_nothing_stored(respondent_client, personas, ts):
    response = respondent_client.post(
        url(personas, "questionnaire_save"), {"question": "AL-01", "value": "2", "ts": ts}
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert stored(personas) == {}


@pytest.mark.parametrize("huge", [str(10**19 + 7), str(2**63)])
@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("questionnaire_save", "post", {}),
        ("questionnaire", "get", {}),
        ("questionnaire_section", "get", {"section_key": "alignment"}),
        ("questionnaire_submit", "get", {}),
    ],
)
def test_questionnaire_assessment_id_beyond_64_bits_404(
    respondent_client, personas, name, method, extra, huge
):
    path = url(personas, name, **extra).replace(f"/a/{personas.assessment.pk}/", f"/a/{huge}/")
    data = {"question": "AL-01", "value": "2", "ts": "1"} if method == "post" else None
    response = getattr(respondent_client, method)(path, data)
    assert response.status_code == 404
    assert stored(personas) == {}


def test_autosave_click_from_a_clock_running_ahead_does_not_freeze_the_answer(
    respondent_client, personas
):
    now = services.now_ms()
    ahead = respondent_client.post(
        url(personas, "questionnaire_save"),
        {"question": "AL-01", "value": "1", "ts": str(now + 3_600_000)},
    ).json()
    assert ahead["ok"] and ahead["applied"] and ahead["ts"] == now + 3_600_000
    later = respondent_client.post(
        url(personas, "questionnaire_save"),
        {"question": "AL-01", "value": "3", "ts": str(services.now_ms() + 5)},
    ).json()
    assert later["ok"] and later["applied"]
    assert stored(personas) == {"AL-01": 3}


def test_autosave_losing_click_says_so_with_the_stored_answer(respondent_client, personas):
    save = url(personas, "questionnaire_save")
    respondent_client.post(
        save, {"question": "AL-01", "value": "dk", "ts": "2000", "comment": "Unklar"}
    )
    lost = respondent_client.post(save, {"question": "AL-01", "value": "1", "ts": "1500"}).json()
    assert lost["ok"] is True and lost["applied"] is False and lost["ts"] == 1500
    assert (lost["value"], lost["comment"]) == ("dk", "Unklar")
    assert lost["saved_at"]
    assert stored(personas) == {"AL-01": None}


def test_plain_form_applies_what_was_submitted_over_a_newer_click(
    respondent_client, personas, questions
):
    # A click stored with a time far ahead (a device clock running fast, before clamping):
    # the person's plain form submit is their latest intent and replaces it.
    with scope(organisation=personas.org_a):
        Answer.objects.create(
            respondent=personas.respondent, question=questions[0], value=4, client_ts=10**15
        )
    response = respondent_client.post(
        url(personas, "questionnaire_section", section_key="alignment"),
        {f"q-{questions[0].code}": "1", f"c-{questions[0].code}": "Neu"},
    )
    assert response.status_code == 302
    assert stored(personas) == {questions[0].code: 1}
    with scopes_disabled():
        assert Answer.objects.get(question=questions[0]).comment == "Neu"


def test_plain_form_comment_without_answer_is_kept_and_explained(
    respondent_client, personas, questions
):
    first, second = questions[0].code, questions[1].code
    response = respondent_client.post(
        url(personas, "questionnaire_section", section_key="alignment"),
        {f"c-{first}": "Nur im Vorstand", f"q-{second}": "2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Not redirected: the page comes back with the typed comment and says what it needs.
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nur im Vorstand</textarea>" in html
    assert "choose an answer" in html.lower()
    assert f'id="q-{second}-2" value="2" checked' in html
    assert stored(personas) == {second: 2}
