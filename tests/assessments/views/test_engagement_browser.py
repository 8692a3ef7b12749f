"""An engagement in a real browser (Playwright, Debian's chromium): the owner uploads three
respondents from a CSV, one answers on the personal link without an account (a section
online, one with the network lost), submits; the participation page shows 1 of 3; the worker
sends invitations, `remind` sends exactly the due reminders; revoked and expired links get a
clear page. Each step's time is printed (run with -s to see it)."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from assessments.models import Answer, Respondent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "name,email,perspective,language\n"
    "Anna Berg,anna@example.org,business,en\n"
    "Ben Ito,ben@example.org,it,en\n"
    "Cora Dahl,cora@example.org,it,de\n"
)


class Steps:
    def __init__(self):
        self.rows = []
        self.started = time.perf_counter()

    def done(self, name):
        now = time.perf_counter()
        self.rows.append((name, now - self.started))
        self.started = now

    def report(self):
        print("\nEngagement in the browser, time per step:")
        for name, seconds in self.rows:
            print(f"  {seconds:6.2f} s  {name}")


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def link_in(message, kind="r") -> str:
    pattern = r"https?://\S+/r/\d+/\?sesame=\S+" if kind == "r" else r"https?://\S+/opt-out/\?\S+"
    return re.search(pattern, message.body).group(0)


def mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_engagement_from_upload_to_reminders(
    personas, questions, browser_contexts, live_app, settings
):
    settings.COMPASS_BASE_URL = live_app.url
    steps = Steps()
    a = personas.assessment.pk
    owner = browser_contexts(personas.users["owner"]).new_page()

    # 1. Upload three respondents, check the preview, add them.
    owner.goto(reverse("participation", args=["org-a", a]))
    owner.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    owner.click("form[action$='/respondents/upload/'] button[type=submit]")
    owner.locator("#upload-preview").wait_for()
    assert owner.locator("#upload-preview tbody tr").count() == 3
    owner.click("form[action$='/upload/confirm/'] button[type=submit]")
    owner.locator("#participation-people").wait_for()
    assert owner.locator("#participation-people tbody tr").count() == 4  # and the member
    steps.done("upload 3 respondents from CSV, preview, add")

    # 2. The worker sends the invitations (never the request).
    assert mail.outbox == []
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "ben@example.org",
        "cora@example.org",
    ]
    assert "Organisation A" in mail_to("cora@example.org")[0].subject
    assert "bittet" in mail_to("cora@example.org")[0].subject  # Cora reads German
    links = {m.to[0]: link_in(m) for m in mail.outbox}
    steps.done("worker sends 3 invitations")

    # 3. Anna opens her link in a fresh browser without an account and starts.
    anna_context = browser_contexts()
    anna = anna_context.new_page()
    anna.goto(links["anna@example.org"])
    anna.locator("#start").wait_for()
    with scopes_disabled():
        assert Respondent.objects.get(email="anna@example.org").opened_at is None  # GET only
    anna.click("#start")
    anna.wait_for_url("**/questionnaire/**")
    steps.done("personal link: start page, Start")

    by_section = {}
    for q in questions:
        by_section.setdefault(q.section.key, []).append(q)
    first, second = list(by_section)[:2]

    # 4. One section online, with autosave.
    if not anna.url.split("#")[0].rstrip("/").endswith(first):
        anna.goto(reverse("questionnaire_section", args=["org-a", a, first]))
    for i, q in enumerate(by_section[first]):
        value = "dk" if i == 0 else "3"
        anna.click(f"label[for='q-{q.code}-{value}']")
        anna.locator(f"#state-{q.code}.is-saved").wait_for()
    steps.done(f"section {first} online ({len(by_section[first])} answers)")

    # 5. The next section with the network lost half-way: kept, then saved when back.
    anna.goto(reverse("questionnaire_section", args=["org-a", a, second]))
    half = len(by_section[second]) // 2
    for i, q in enumerate(by_section[second]):
        if i == half:
            anna_context.set_offline(True)
        anna.click(f"label[for='q-{q.code}-2']")
        if i < half:
            anna.locator(f"#state-{q.code}.is-saved").wait_for()
    anna.locator("#sync-state.is-offline").wait_for()
    anna_context.set_offline(False)
    anna.locator("#sync-state.is-saved").wait_for(timeout=30_000)
    with scopes_disabled():
        stored = Answer.objects.filter(respondent__email="anna@example.org").count()
    assert stored == len(by_section[first]) + len(by_section[second])
    steps.done(f"section {second} half offline, synced when back online")

    # 6. Review lists the don't-know answer with a link back; submit.
    anna.goto(reverse("questionnaire_submit", args=["org-a", a]))
    dont_know = anna.locator("#review-dont-know")
    assert dont_know.locator(f"a[href$='#q-{by_section[first][0].code}']").count() == 1
    anna.click("main form button.btn-primary")
    anna.get_by_text("You submitted your answers on").wait_for()
    # Her session opens nothing else: the results page is forbidden.
    response = anna.goto(reverse("results", args=["org-a", a]))
    assert response.status == 403
    assert anna_context.csp_errors == []
    steps.done("review (don't know listed), submit, results refused")

    # 7. Participation: 1 of 3 link respondents submitted (4 with the member).
    owner.goto(reverse("participation", args=["org-a", a]))
    total = owner.locator("#participation-total").inner_text()
    assert "1 of 4 submitted" in total
    it_row = owner.locator("#participation-summary tbody tr", has_text="IT")
    assert it_row.count() == 1
    steps.done("participation page shows 1 submitted")

    # 8. Ben opts out of reminders from his mail (GET asks, POST opts out).
    ben = browser_contexts().new_page()
    ben.goto(link_in(mail_to("ben@example.org")[0], kind="opt-out"))
    ben.click("#optout")
    ben.locator("#optout-done").wait_for()
    steps.done("opt-out from the mail")

    # 9. Time moves on: remind sends exactly the due reminders, only to Cora.
    with scopes_disabled():
        Respondent.objects.exclude(email="").update(invited_at=timezone.now() - timedelta(days=4))
    mail.outbox.clear()
    call_command("remind", verbosity=0)
    run_worker()
    later = (timezone.now() + timedelta(days=4)).isoformat()
    call_command("remind", "--now", later, verbosity=0)
    run_worker()
    assert [m.to[0] for m in mail.outbox] == ["cora@example.org", "cora@example.org"]
    assert all("Erinnerung" in m.subject for m in mail.outbox)
    steps.done("remind: 2 due reminders, none to opted-out or submitted")

    # 10. The owner revokes Cora's link: the link gets a clear page, not an error.
    owner.goto(reverse("participation", args=["org-a", a]))
    owner.locator("#participation-people tr", has_text="Cora Dahl").locator(
        "a[href$='/revoke/']"
    ).click()
    owner.click("main form button.btn-danger")
    owner.locator("#participation-people").wait_for()
    cora = browser_contexts().new_page()
    response = cora.goto(links["cora@example.org"])
    assert response.status == 410
    assert cora.locator("#link-problem").is_visible()
    steps.done("revoke a link; the link shows a clear page")

    # 11. After the deadline Ben's link explains that, too.
    personas.assessment.deadline = timezone.localdate() - timedelta(days=1)
    personas.assessment.save(update_fields=["deadline"])
    response = ben.goto(links["ben@example.org"])
    assert response.status == 410
    assert "deadline" in ben.locator("main").inner_text().lower()
    steps.done("expired link (deadline passed) shows a clear page")
    steps.report()


def test_participation_link_and_review_pages_pass_axe_wcag_aa(personas, browser_contexts):
    from tests.browser import axe_violations

    from ..links import add_link_respondent, link_path

    rita = add_link_respondent(personas.assessment)
    owner = browser_contexts(personas.users["owner"], bypass_csp=True).new_page()
    owner.goto(reverse("participation", args=["org-a", personas.assessment.pk]))
    assert axe_violations(owner) == []
    page = browser_contexts(bypass_csp=True).new_page()
    page.goto(link_path(rita))
    assert axe_violations(page) == []
    page.click("#start")
    page.wait_for_url("**/questionnaire/**")
    page.goto(reverse("questionnaire_submit", args=["org-a", personas.assessment.pk]))
    assert axe_violations(page) == []
