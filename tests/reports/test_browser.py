"""The report box on the results page in a real browser: htmx loads it from the reports app,
asking for a PDF shows its state, the charts are drawn under the CSP, and the page with the
box passes axe-core's WCAG 2.2 AA rules."""

import pytest
from django.urls import reverse
from django_scopes import scope

from reports.models import RenderStatus, ReportRender

from ..browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def results_url(personas):
    return reverse("results", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk})


def test_results_page_loads_report_box_and_queues_a_pdf(personas, snapshot, browser_contexts):
    context = browser_contexts(personas.users["viewer"])
    page = context.new_page()
    with page.expect_response(lambda response: "/report/box/" in response.url):
        page.goto(results_url(personas))
    page.locator("#report-actions form button[type=submit]").wait_for()
    with page.expect_response(lambda response: response.url.endswith("/report/")) as answer:
        page.click("#report-actions form button[type=submit]")
    assert answer.value.status == 200
    page.locator("#report-status .report-row[data-status='queued']").wait_for()
    with scope(organisation=personas.org_a):
        assert ReportRender.objects.get().status == RenderStatus.QUEUED
    page.locator("[data-figure='fig-radar'] .main-svg").first.wait_for()
    assert context.csp_errors == []  # htmx box and plotly, no inline script or style


def test_results_page_without_js_links_to_the_report_page(personas, snapshot, browser_contexts):
    page = browser_contexts(personas.users["viewer"], java_script_enabled=False).new_page()
    page.goto(results_url(personas))
    page.get_by_role("link", name="PDF report and data exports").click()
    page.click("#report-actions form button[type=submit]")
    page.locator(".report-row[data-status='queued']").wait_for()
    assert page.url.endswith("/report/status/")


def test_results_page_with_report_box_passes_axe_wcag_aa(personas, snapshot, browser_contexts):
    page = browser_contexts(personas.users["viewer"], bypass_csp=True).new_page()
    page.goto(results_url(personas))
    page.locator("#report-actions form").wait_for()
    page.locator("[data-figure='fig-radar'] .main-svg").first.wait_for()
    assert axe_violations(page) == []
