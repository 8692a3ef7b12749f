"""Browser tests of the live workshop, on the live server with system chromium.

1. The whole loop — a facilitator view, the shared (projected) screen and three phones (two
   business, one IT; k lowered to 1 so business vs IT may show): join → blind vote → reveal →
   re-vote → consensus → open question with moderation → next question → end — once with
   Pushpin in front (pushed updates, no reloads) and once without a push engine (the pages
   poll). Each screen is checked at each step: no distribution anywhere before the reveal,
   and the shared screen fits 1280×720 without scrolling.
2. A participant loses the network, keeps answering, gets it back: every answer is stored
   exactly once, with the last choice.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from assessments.models import Answer, Consensus
from workshops.models import OpenAnswer, Participant, WorkshopSession

from ..browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
SCREENSHOTS = os.environ.get("COMPASS_SCREENSHOTS_DIR")


def shot(page, name):
    """Screenshots for a person to look at (only when COMPASS_SCREENSHOTS_DIR is set)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def join(context, code, perspective, name):
    page = context.new_page()
    page.goto(f"/join/{code}/")
    # The whole option box is the label's click target (large touch target).
    page.locator(".option label").filter(has_text=re.compile(f"^{perspective}$")).click()
    page.get_by_label("Display name (optional)").fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(rf"/w/{code}/"))
    return page


def choose(page, code, value):
    page.locator(f"label[for='v-{code}-{value}']").click()


def expect_received(page, code):
    expect(page.locator(f"#state-{code}")).to_have_text("Received")


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")


def in_view(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def new_context(chromium, base_url, user=None, **options):
    """A browser context on ``base_url`` (the live server, or Pushpin in front of it)."""
    from django.conf import settings
    from django.test import Client

    context = chromium.new_context(base_url=base_url, locale="en-GB", **options)
    context.set_default_timeout(15_000)
    context.csp_errors = []
    context.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and context.csp_errors.append(message.text)
        ),
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base_url}])
    return context


def run_the_loop(personas, chromium, base_url, pushed: bool):
    with scope(organisation=personas.org_a):
        catalogue = personas.assessment.catalogue
        catalogue.min_group_size = 1  # three people: let business vs IT show
        catalogue.save()
    contexts = []

    def context(**options):
        contexts.append(new_context(chromium, base_url, **options))
        return contexts[-1]

    # The consultant starts a facilitator-paced workshop on the alignment section.
    laptop = context(user=personas.users["consultant"])
    facilitator = laptop.new_page()
    facilitator.goto(f"/o/{personas.org_a.slug}/a/{personas.assessment.pk}/")
    facilitator.locator("#workshops-link").click()
    facilitator.get_by_label("Facilitator-paced").check()
    facilitator.get_by_label("Questions").select_option(label="Business-IT Alignment")
    facilitator.get_by_role("button", name="Start and open the facilitator view").click()
    code = facilitator.locator(".ws-code-inline").inner_text().strip()
    screen_url = facilitator.locator("#ws-open-screen").get_attribute("href")

    projector = context(user=personas.users["consultant"], **PROJECTOR)
    screen = projector.new_page()
    screen.goto(screen_url)
    expect(screen.locator("#ws-code")).to_have_text(code)
    expect(screen.locator(".ws-qr svg")).to_be_visible()
    expect(screen.locator("#ws-participants")).to_have_text("0")
    # Nothing of the app's chrome or the facilitator's controls on the projected screen.
    assert screen.locator("nav, footer, form, #lang-select").count() == 0
    assert (
        screen.evaluate("getComputedStyle(document.getElementById('ws-code')).whiteSpace")
        == "nowrap"
    )

    phones = [context(**PHONE) for _ in range(3)]
    anna = join(phones[0], code, "Business", "Anna")
    ben = join(phones[1], code, "Business", "Ben")
    ida = join(phones[2], code, "IT", "Ida")
    for page in (anna, ben, ida):
        expect(page.locator("#item-AL-01")).to_be_visible()
        page.evaluate("window.wsSamePage = true")  # gone if the page reloads
        assert page.locator("header.navbar, nav.navbar, footer").count() == 0
        if pushed:
            expect(page.locator("html")).to_have_attribute("data-live", "push")
    expect(screen.locator("#ws-participants")).to_have_text("3")
    if pushed:
        expect(screen.locator("html")).to_have_attribute("data-live", "push")
    else:
        expect(screen.locator("html")).to_have_attribute("data-live", "poll")
        expect(anna.locator("html")).to_have_attribute("data-live", "poll")

    # Blind vote: everybody sees how many voted, nobody the distribution.
    for page, value in ((anna, "4"), (ben, "3"), (ida, "1")):
        choose(page, "AL-01", value)
        expect_received(page, "AL-01")
        # The answer cards and "Received" fit a 390×844 phone without scrolling.
        assert in_view(page, "#v-AL-01-dk") and in_view(page, "#state-AL-01")
    shot(anna, "phone-390x844-voting")
    anna.set_viewport_size({"width": 360, "height": 740})  # a small phone: nothing cut off
    assert anna.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    shot(anna, "phone-360x740-voting")
    anna.set_viewport_size(PHONE["viewport"])
    expect(screen.locator("#ws-votes")).to_have_text("3")
    for page in (anna, ben, ida):
        expect(page.locator("#ws-votes")).to_have_text("3 have voted")
    for page in (screen, anna, ben, ida):
        expect(page.locator("#ws-results")).to_be_hidden()
    assert screen.locator("#ws-mean").inner_text() == "–"
    assert fits(screen)
    shot(screen, "screen-1280x720-voting")

    # Reveal (key R on the facilitator view).
    facilitator.keyboard.press("r")
    clicked = time.monotonic()
    for page in (anna, ben, ida):
        expect(page.locator("#ws-results")).to_be_visible()
        expect(page.locator("#closed-AL-01")).to_be_visible()
    arrived = time.monotonic() - clicked
    expect(screen.locator("#ws-results")).to_be_visible()
    expect(screen.locator("#ws-mean")).to_have_text("2.67")
    expect(screen.locator("#ws-agreement")).to_have_text("0 %")  # r_wg of 1, 3, 4
    expect(screen.locator("#ws-g-business")).to_have_text("3.50")
    expect(screen.locator("#ws-g-it")).to_have_text("1.00")
    expect(screen.locator("#ws-bars li[data-value='4'] .ws-bar-n")).to_have_text("1")
    assert fits(screen)  # question, distribution, mean and agreement on one screen
    label_px = screen.evaluate(
        "Math.min(...[...document.querySelectorAll('#ws-bars .ws-bar-label, .ws-figures dt')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )
    assert label_px >= 20
    shot(screen, "screen-1280x720-revealed")
    shot(anna, "phone-390x844-revealed")
    screen.set_viewport_size({"width": 1920, "height": 1080})
    assert fits(screen)
    shot(screen, "screen-1920x1080-revealed")
    screen.set_viewport_size(PROJECTOR["viewport"])

    # Re-vote (key V): round 2, blind again.
    facilitator.wait_for_url(re.compile(r"/workshops/\d+/$"))
    # The reloaded controls (after the reveal) offer "Vote again": the key works from then on.
    expect(facilitator.locator("#ws-revote-form")).to_be_visible()
    facilitator.wait_for_load_state()
    facilitator.keyboard.press("v")
    expect(screen.locator("#ws-q-text")).to_have_attribute("data-round", "2")
    expect(screen.locator("#ws-votes")).to_have_text("0")
    expect(screen.locator("#ws-results")).to_be_hidden()
    for page in (anna, ben, ida):
        expect(page.locator("form.ws-vote[data-round='2']")).to_be_attached()
        expect(page.locator("#ws-results")).to_be_hidden()
    for page, value in ((anna, "3"), (ben, "3"), (ida, "2")):
        choose(page, "AL-01", value)
        expect_received(page, "AL-01")
    expect(screen.locator("#ws-votes")).to_have_text("3")
    facilitator.wait_for_url(re.compile(r"/workshops/\d+/$"))
    facilitator.get_by_role("button", name="Reveal").click()
    expect(screen.locator("#ws-mean")).to_have_text("2.67")
    expect(screen.locator("#ws-change")).to_contain_text("change +")

    # Consensus with a note (facilitator view only).
    facilitator.get_by_label("Consensus value").select_option("3")
    facilitator.get_by_label("Note").fill("Agreed after the discussion")
    facilitator.get_by_role("button", name="Record consensus").click()
    expect(facilitator.locator("#ws-consensus-state")).to_contain_text("Recorded: 3.")
    shot(facilitator, "facilitator")

    # The open question: phones answer, nothing reaches the screen before it is shown.
    facilitator.get_by_role("button", name="Ask the room").click()
    for page in (anna, ben, ida):
        expect(page.locator("#ws-open")).to_be_visible()
    expect(screen.locator("#ws-prompt-text")).to_have_text("What holds us back here?")
    anna.get_by_label("Your answer (anonymous)").fill("Budgets per silo")
    anna.get_by_role("button", name="Send", exact=True).click()
    expect(anna.locator("#ws-open-state")).to_contain_text("Sent")
    ben.get_by_label("Your answer (anonymous)").fill("Rude remark")
    ben.get_by_role("button", name="Send", exact=True).click()
    expect(ben.locator("#ws-open-state")).to_contain_text("Sent")
    pending = facilitator.locator(".ws-pending-item")
    expect(pending).to_have_count(2)
    shot(anna, "phone-390x844-open-question")
    assert screen.locator("#ws-voices li").count() == 0
    pending.filter(has_text="Rude remark").get_by_role("button", name="Hide").click()
    facilitator.locator(".ws-pending-item").filter(has_text="Budgets per silo").get_by_role(
        "button", name="Show"
    ).click()
    expect(screen.locator("#ws-voices li")).to_have_text(["Budgets per silo"])
    assert "Rude remark" not in screen.content()
    assert fits(screen)
    shot(screen, "screen-1280x720-open-question")
    # The form posts and the facilitator view loads again: the shortcut below must reach
    # the new page, not the one being left.
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Back to the votes").click()
    expect(anna.locator("#ws-open")).to_be_hidden()

    # Next question (→): the phones follow with the pushed texts.
    facilitator.keyboard.press("ArrowRight")
    expect(screen.locator("#ws-q-text")).to_have_attribute("data-code", "AL-02")
    for page in (anna, ben, ida):
        expect(page.locator("#item-AL-02")).to_be_visible()
        expect(page.locator("label[for='v-AL-02-0']")).to_be_visible()
    choose(ida, "AL-02", "2")
    expect_received(ida, "AL-02")
    if pushed:
        for page in (anna, ben, ida):  # updated in place: no page reload
            assert page.evaluate("window.wsSamePage === true")

    # Names appear on the person's own phone only.
    expect(anna.locator(".ws-who")).to_contain_text("Anna")
    assert "Anna" not in screen.content()

    # End the workshop: a confirmation step that says what happens.
    facilitator.locator("#ws-close-link").click()
    expect(facilitator.locator("#ws-close-confirm")).to_contain_text("3 participants have joined.")
    facilitator.get_by_role("button", name="End the workshop").click()
    for page in (anna, ben, ida):
        expect(page.locator("#ws-ended")).to_be_visible()
    expect(screen.locator("#ws-q-text")).to_have_text("The workshop has ended. Thank you!")

    with scope(organisation=personas.org_a):
        session = WorkshopSession.objects.get(code=code)
        rows = sorted(
            Answer.objects.filter(respondent__workshop_participant__session=session).values_list(
                "respondent__perspective", "question__code", "round", "value"
            )
        )
        consensus = Consensus.objects.get(assessment=personas.assessment)
        voices = list(OpenAnswer.objects.values_list("text", "status"))
    assert rows == [
        ("business", "AL-01", 1, 3),
        ("business", "AL-01", 1, 4),
        ("business", "AL-01", 2, 3),
        ("business", "AL-01", 2, 3),
        ("it", "AL-01", 1, 1),
        ("it", "AL-01", 2, 2),
        ("it", "AL-02", 1, 2),
    ]
    assert (consensus.question.code, consensus.value) == ("AL-01", 3)
    assert voices == [("Budgets per silo", "shown")]
    for each in contexts:
        assert each.csp_errors == []
        each.close()
    return arrived


def test_whole_loop_with_pushed_updates(personas, chromium, live_app, pushpin):
    arrived = run_the_loop(personas, chromium, pushpin.url, pushed=True)
    # The reveal reached all three phones well within the polling interval.
    assert arrived < 2.0


def test_whole_loop_without_push_engine_polls(personas, chromium, live_app, settings):
    settings.GRIP_PROXIES = []
    run_the_loop(personas, chromium, live_app.url, pushed=False)


def test_offline_participant_keeps_answering_every_answer_stored_once(personas, browser_contexts):
    from workshops import services

    with scope(organisation=personas.org_a):
        section = personas.assessment.catalogue.sections.get(key="alignment")
        session = services.start_session(
            assessment=personas.assessment, mode="self", section=section, user=None
        )
    context = browser_contexts(**PHONE)
    page = join(context, session.code, "IT", "")

    choose(page, "AL-01", "2")
    expect_received(page, "AL-01")

    # The network goes away; the person keeps answering and moving on.
    context.set_offline(True)
    page.locator("#item-AL-01").get_by_role("link", name="Next").click()
    choose(page, "AL-02", "1")
    expect(page.locator("#state-AL-02")).to_have_text(re.compile("Sending|retrying"))
    expect(page.locator("#ws-sync")).to_contain_text("No connection")
    page.locator("#item-AL-02").get_by_role("link", name="Next").click()
    choose(page, "AL-03", "4")
    page.locator("#item-AL-03").get_by_role("link", name="Previous").click()
    choose(page, "AL-02", "3")  # changed its mind while offline
    page.locator("#item-AL-02").get_by_role("link", name="Next").click()
    page.locator("#item-AL-03").get_by_role("link", name="Next").click()
    choose(page, "AL-04", "dk")
    with scope(organisation=personas.org_a):
        assert Answer.objects.count() == 1

    # Back online: everything queued is sent and confirmed.
    context.set_offline(False)
    expect(page.locator("#ws-sync")).to_have_text("All answers received.", timeout=30_000)

    # A vote whose request fails is kept across a reload and sent afterwards.
    page.route("**/vote/", lambda route: route.abort())
    page.locator("#item-AL-04").get_by_role("link", name="Next").click()
    choose(page, "AL-05", "0")
    expect(page.locator("#state-AL-05")).to_contain_text("retrying")
    page.unroute("**/vote/")
    page.route("**/vote/", lambda route: route.abort())
    page.reload()
    expect(page.locator("#v-AL-05-0")).to_be_checked()
    page.unroute("**/vote/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#ws-sync")).to_have_text("All answers received.", timeout=30_000)

    with scope(organisation=personas.org_a):
        participant = Participant.objects.get(session=session)
        rows = sorted(
            Answer.objects.filter(respondent=participant.respondent).values_list(
                "question__code", "round", "value"
            )
        )
    assert rows == [
        ("AL-01", 1, 2),
        ("AL-02", 1, 3),
        ("AL-03", 1, 4),
        ("AL-04", 1, None),
        ("AL-05", 1, 0),
    ]


def test_workshop_screens_pass_axe_wcag_aa(personas, browser_contexts):
    from workshops import services

    with scope(organisation=personas.org_a):
        section = personas.assessment.catalogue.sections.get(key="alignment")
        session = services.start_session(
            assessment=personas.assessment, mode="facilitator", section=section, user=None
        )
    phone = browser_contexts(bypass_csp=True, **PHONE).new_page()
    phone.goto("/join/")
    assert axe_violations(phone) == []
    phone.goto(f"/join/{session.code}/")
    assert axe_violations(phone) == []
    phone = join(phone.context, session.code, "Other", "")
    choose(phone, "AL-01", "2")
    expect_received(phone, "AL-01")
    assert axe_violations(phone) == []

    owner = browser_contexts(personas.users["owner"], bypass_csp=True)
    facilitator = owner.new_page()
    facilitator.goto(f"/o/{personas.org_a.slug}/workshops/{session.pk}/")
    assert axe_violations(facilitator) == []
    presenter = owner.new_page()
    presenter.set_viewport_size({"width": 1280, "height": 720})
    presenter.goto(f"/o/{personas.org_a.slug}/workshops/{session.pk}/screen/")
    assert axe_violations(presenter) == []
    facilitator.keyboard.press("r")
    expect(presenter.locator("#ws-results")).to_be_visible()
    assert axe_violations(presenter) == []
    expect(phone.locator("#ws-results")).to_be_visible()
    assert axe_violations(phone) == []
