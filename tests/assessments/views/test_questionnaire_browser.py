"""The questionnaire in a real browser (Playwright, Debian's chromium): a whole questionnaire in
German through the UI with the network lost half-way, keyboard-only answering, and axe-core
WCAG 2.2 AA checks of the questionnaire and results pages."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments import scoring
from assessments.catalogue import spec_from_catalogue
from assessments.models import Answer, Assessment

from ...browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def planned_value(index: int, code: str) -> str:
    """What the respondent clicks: a mix of levels and don't know, per question."""
    section = code.split("-")[0]
    base = {"AL": 4, "IN": 3, "CC": 2, "FU": 1, "BD": 2, "DT": 0}[section]
    if index % 7 == 3:
        return "dk"
    return str(max(0, min(4, base + (index % 3) - 1)))


def section_url(personas, key):
    return reverse(
        "questionnaire_section",
        kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk, "section_key": key},
    )


def wait_saved(page, code):
    page.locator(f"#state-{code}.is-saved").wait_for()


def test_questionnaire_in_german_survives_lost_network_and_results_show_stage(
    personas, questions, browser_contexts
):
    context = browser_contexts(personas.users["respondent"], locale="de-DE")
    page = context.new_page()
    page.goto(reverse("questionnaire", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}))
    assert page.locator("html").get_attribute("lang") == "de"

    clicked: dict[str, int | None] = {}
    by_section: dict[str, list] = {}
    for q in questions:
        by_section.setdefault(q.section.key, []).append(q)
    keys = list(by_section)
    index = 0
    for n, key in enumerate(keys):
        if page.url.split("#")[0].rstrip("/").split("/")[-1] != key:
            page.goto(section_url(personas, key))
        offline_from = len(by_section[key]) // 2 if n == 2 else None
        for i, q in enumerate(by_section[key]):
            if i == offline_from:
                context.set_offline(True)
            value = planned_value(index, q.code)
            page.click(f"label[for='q-{q.code}-{value}']")
            clicked[q.code] = None if value == "dk" else int(value)
            if offline_from is None:
                wait_saved(page, q.code)
            index += 1
        if offline_from is not None:
            # Offline: the page says so and keeps every change; one answer is even changed.
            page.locator("#sync-state.is-offline").wait_for()
            changed = by_section[key][-1]
            page.click(f"label[for='q-{changed.code}-4']")
            clicked[changed.code] = 4
            with scopes_disabled():
                stored_while_offline = Answer.objects.filter(
                    respondent=personas.respondent, question__section__key=key
                ).count()
            assert stored_while_offline == offline_from
            context.set_offline(False)
            page.locator("#sync-state.is-saved").wait_for()
            assert "Alle Antworten gespeichert" in page.locator("#sync-state").inner_text()
    assert page.locator("#answered-count").inner_text() == str(len(questions))
    assert context.csp_errors == []

    with scopes_disabled():
        stored = dict(
            Answer.objects.filter(respondent=personas.respondent).values_list(
                "question__code", "value"
            )
        )
    assert stored == clicked

    # The owner closes the assessment; the results page shows the scoring module's stage.
    owner_context = browser_contexts(personas.users["owner"], locale="de-DE")
    owner = owner_context.new_page()
    owner.goto(reverse("assessment", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}))
    owner.locator("a[href$='/close/']").click()  # the confirmation page, then close
    owner.locator("form[action$='/close/'] button").click()
    owner.wait_for_url("**/results/")
    spec = spec_from_catalogue(personas.assessment.catalogue)  # its own parameters
    expected = scoring.score(spec, [scoring.ResponseSet("business", clicked)], target_stage=3)
    label = {
        0: "Silo",
        1: "Alignment",
        2: "Integration",
        3: "Co-Creation",
        4: "Fusion / Konvergenz",
    }[expected["stage"]["index"]]
    # The headline: the position with one decimal, half up.
    position = f"{scoring.round_half_up(expected['position'], 1):.1f}".replace(".", ",")
    assert owner.locator("#stage-label").inner_text() == f"{label} ({position})"
    owner.locator("[data-figure='fig-radar'] .main-svg").first.wait_for()
    assert owner_context.csp_errors == []  # plotly draws without inline styles
    with scope(organisation=personas.org_a):
        assert Assessment.objects.get(pk=personas.assessment.pk).snapshot.data["result"] == (
            expected
        )


def test_questionnaire_section_completed_with_keyboard_only(personas, questions, browser_contexts):
    context = browser_contexts(personas.users["respondent"])
    page = context.new_page()
    page.goto(section_url(personas, "alignment"))
    alignment = [q for q in questions if q.section.key == "alignment"]
    codes = [q.code for q in alignment]

    def focused_name() -> str:
        return page.evaluate("document.activeElement && document.activeElement.name || ''")

    for _ in range(80):  # from the top of the page to the first radio group
        page.keyboard.press("Tab")
        if focused_name() == f"q-{codes[0]}":
            break
    for code in codes:
        assert focused_name() == f"q-{code}"
        # The focus is visible: a real outline on the focused radio.
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")
        page.keyboard.press("ArrowDown")  # first arrow: to option 1 and select it
        page.keyboard.press("ArrowDown")  # option 2
        wait_saved(page, code)
        if code != codes[-1]:
            for _ in range(6):
                page.keyboard.press("Tab")
                if focused_name().startswith("q-") and focused_name() != f"q-{code}":
                    break
    with scopes_disabled():
        stored = dict(
            Answer.objects.filter(respondent=personas.respondent).values_list(
                "question__code", "value"
            )
        )
    assert stored == dict.fromkeys(codes, 2)


def test_questionnaire_and_results_pass_axe_wcag_aa(personas, questions, browser_contexts):
    from assessments import services

    with scope(organisation=personas.org_a):
        for i, q in enumerate(questions):
            services.save_answer(respondent=personas.respondent, question=q, value=i % 5)
    respondent_page = browser_contexts(personas.users["respondent"], bypass_csp=True).new_page()
    respondent_page.goto(section_url(personas, "co_creation"))
    assert axe_violations(respondent_page) == []
    respondent_page.set_viewport_size({"width": 360, "height": 740})
    respondent_page.goto(section_url(personas, "alignment"))
    assert axe_violations(respondent_page) == []
    width = respondent_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no horizontal scrolling on a phone

    with scope(organisation=personas.org_a):
        services.close_assessment(assessment=personas.assessment)
    viewer_page = browser_contexts(personas.users["viewer"], bypass_csp=True).new_page()
    viewer_page.goto(reverse("results", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}))
    viewer_page.locator("[data-figure='fig-radar'] .main-svg").first.wait_for()
    assert axe_violations(viewer_page) == []


def test_comment_typed_before_an_answer_survives_reload_and_is_saved_with_it(
    personas, questions, browser_contexts
):
    context = browser_contexts(personas.users["respondent"])
    page = context.new_page()
    page.goto(section_url(personas, "alignment"))
    code = questions[0].code
    page.click(f"#q-{code} details.comment summary")
    page.fill(f"#c-{code}", "Nur im Vorstand besprochen")
    # The page says that the comment waits for an answer, and keeps it on this device.
    page.locator(f"#state-{code}.is-waiting").wait_for()
    page.reload()
    assert page.locator(f"#c-{code}").input_value() == "Nur im Vorstand besprochen"
    assert page.locator(f"#q-{code} details.comment").get_attribute("open") is not None
    page.locator(f"#state-{code}.is-waiting").wait_for()
    page.click(f"label[for='q-{code}-3']")
    wait_saved(page, code)
    with scopes_disabled():
        answer = Answer.objects.get(respondent=personas.respondent, question=questions[0])
    assert (answer.value, answer.comment) == (3, "Nur im Vorstand besprochen")


def test_click_from_a_clock_running_behind_shows_the_answer_that_won_then_applies(
    personas, questions, browser_contexts
):
    from assessments import services

    code = questions[0].code
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=4)
    context = browser_contexts(personas.users["respondent"])
    page = context.new_page()
    # This device's clock runs an hour behind the server's.
    page.clock.install(time=datetime.datetime.now() - datetime.timedelta(hours=1))
    page.goto(section_url(personas, "alignment"))
    page.click(f"label[for='q-{code}-1']")
    # The older click lost: the page shows the stored answer, not "Saved".
    page.locator(f"#state-{code}.is-kept").wait_for()
    assert page.locator(f"#q-{code}-4").is_checked()
    with scopes_disabled():
        assert Answer.objects.get(question=questions[0]).value == 4
    # The page has learnt the server's time from the answer: the next click applies.
    page.click(f"label[for='q-{code}-1']")
    wait_saved(page, code)
    with scopes_disabled():
        assert Answer.objects.get(question=questions[0]).value == 1
