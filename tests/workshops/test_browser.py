"""The two browser tests of the workshop issue, on the live server with system chromium.

1. A presenter and three participants (two business, one IT; k lowered to 1 so the business
   vs IT comparison may show) go through join → blind vote → reveal → re-vote → consensus,
   and each screen is checked at each step: no distribution anywhere before the reveal.
2. A participant loses the network, keeps answering, gets it back: every answer is stored
   exactly once, with the last choice.
"""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from assessments.models import Answer, Consensus
from workshops.models import Participant, WorkshopSession

from ..browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 800}, "is_mobile": True, "has_touch": True}


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


def test_facilitated_round_trip_blind_reveal_revote_consensus(personas, browser_contexts):
    with scope(organisation=personas.org_a):
        catalogue = personas.assessment.catalogue
        catalogue.min_group_size = 1  # three people: let business vs IT show
        catalogue.save()

    # The consultant starts a facilitator-paced workshop on the alignment section.
    presenter_context = browser_contexts(personas.users["consultant"])
    presenter = presenter_context.new_page()
    presenter.goto(f"/o/{personas.org_a.slug}/a/{personas.assessment.pk}/")
    presenter.locator("#workshops-link").click()
    presenter.get_by_label("Facilitator-paced").check()
    presenter.get_by_label("Questions").select_option(label="Business-IT Alignment")
    presenter.get_by_role("button", name="Start and open the presenter screen").click()
    code = presenter.locator("#ws-code").inner_text().strip()
    assert len(code) >= 6
    expect(presenter.locator(".ws-qr svg")).to_be_visible()
    expect(presenter.locator("#ws-participants")).to_have_text("0")

    phone_contexts = [browser_contexts(**PHONE) for _ in range(3)]
    anna = join(phone_contexts[0], code, "Business", "Anna")
    ben = join(phone_contexts[1], code, "Business", "Ben")
    ida = join(phone_contexts[2], code, "IT", "Ida")
    phones = [anna, ben, ida]
    for page in phones:
        expect(page.locator("#item-AL-01")).to_be_visible()
        expect(page.locator("#v-AL-01-dk")).to_be_attached()
    expect(presenter.locator("#ws-participants")).to_have_text("3")  # polled, within ~2 s

    # Blind vote: everybody sees how many voted, nobody the distribution.
    for page, value in ((anna, "4"), (ben, "3"), (ida, "1")):
        choose(page, "AL-01", value)
        expect_received(page, "AL-01")
    expect(presenter.locator("#ws-votes")).to_have_text("3")
    for page in phones:
        expect(page.locator("#ws-votes")).to_contain_text("3 have voted")
    for page in [presenter, *phones]:
        assert page.locator("#ws-results, [data-figure], .ws-bars").count() == 0
    assert "fig-distribution" not in presenter.content()
    assert presenter_context.csp_errors == []

    # Reveal (keyboard R): histogram, mean, spread, business vs IT.
    presenter.keyboard.press("r")
    expect(presenter.locator("#ws-results")).to_be_visible()
    expect(presenter.locator("[data-figure='fig-distribution'] svg").first).to_be_attached()
    expect(presenter.locator("#ws-mean")).to_have_text("2.67")
    expect(presenter.locator("#ws-sigma")).to_have_text("1.25")
    expect(presenter.locator("#ws-groups")).to_contain_text("Business 3.50")
    expect(presenter.locator("#ws-groups")).to_contain_text("IT 1.00")
    for page in phones:  # the phones follow within ~2 s
        expect(page.locator("#ws-results")).to_be_visible()
        expect(page.locator("#closed-AL-01")).to_be_visible()

    # Re-vote (keyboard V): round 2, blind again.
    presenter.keyboard.press("v")
    expect(presenter.locator(".ws-question")).to_have_attribute("data-round", "2")
    expect(presenter.locator("#ws-votes")).to_have_text("0")
    assert presenter.locator("#ws-results").count() == 0
    for page in phones:
        expect(page.locator("form.ws-vote[data-round='2']")).to_be_attached()
        assert page.locator("#ws-results").count() == 0
    for page, value in ((anna, "3"), (ben, "3"), (ida, "2")):
        choose(page, "AL-01", value)
        expect_received(page, "AL-01")
    expect(presenter.locator("#ws-votes")).to_have_text("3")
    assert presenter.locator("#ws-results").count() == 0
    presenter.get_by_role("button", name="Reveal").click()
    expect(presenter.locator("#ws-mean")).to_have_text("2.67")
    expect(presenter.locator("#ws-change")).to_contain_text("change +")

    # Consensus with a note.
    presenter.get_by_label("Consensus value").select_option("3")
    presenter.get_by_label("Note").fill("Agreed after the discussion")
    presenter.get_by_role("button", name="Record consensus").click()
    expect(presenter.locator("#ws-consensus-state")).to_contain_text("Recorded: 3.")

    # Next question (→): the phones follow.
    presenter.keyboard.press("ArrowRight")
    expect(presenter.locator(".ws-question")).to_have_attribute("data-code", "AL-02")
    for page in phones:
        expect(page.locator("#item-AL-02")).to_be_visible()

    # Names appear on the person's own phone only.
    expect(anna.locator(".ws-who")).to_contain_text("Anna")
    assert "Anna" not in presenter.content()

    with scope(organisation=personas.org_a):
        session = WorkshopSession.objects.get(code=code)
        rows = sorted(
            Answer.objects.filter(respondent__workshop_participant__session=session).values_list(
                "respondent__perspective", "round", "value"
            )
        )
        consensus = Consensus.objects.get(assessment=personas.assessment)
    assert rows == [
        ("business", 1, 3),
        ("business", 1, 4),
        ("business", 2, 3),
        ("business", 2, 3),
        ("it", 1, 1),
        ("it", 2, 2),
    ]
    assert (consensus.question.code, consensus.value) == ("AL-01", 3)
    assert consensus.note == "Agreed after the discussion"
    for context in [presenter_context, *phone_contexts]:
        assert context.csp_errors == []


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

    presenter = browser_contexts(personas.users["owner"], bypass_csp=True).new_page()
    presenter.goto(f"/o/{personas.org_a.slug}/workshops/{session.pk}/")
    assert axe_violations(presenter) == []
    presenter.keyboard.press("r")
    expect(presenter.locator("#ws-results")).to_be_visible()
    assert axe_violations(presenter) == []
    expect(phone.locator("#ws-results")).to_be_visible()
    assert axe_violations(phone) == []
