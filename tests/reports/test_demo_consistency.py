"""The demo assessments read the same everywhere: the results page, the PDF text and the
JSON export show the same stage, position, robustness verdict and next-stage questions, in
German and English (the data of ``manage.py seed_demo``)."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from assessments import narrative
from assessments.models import Assessment, Organisation, ResultSnapshot
from reports import exports, services

from .test_pdf import normalise, pdf_text

pytestmark = pytest.mark.django_db
HEADING = {"de": "Was die Organisation bremst", "en": "What holds the organisation back"}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Organisation.objects.get(slug="muster-versicherung")


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("title", ["Standortbestimmung 2025", "Standortbestimmung 2026"])
def test_demo_results_page_pdf_and_json_agree(client, demo, fake_svg, lang, title):
    with scope(organisation=demo):
        assessment = Assessment.objects.get(organisation=demo, title=title)
        snapshot = ResultSnapshot.objects.select_related("assessment__catalogue").get(
            assessment=assessment
        )
        text = pdf_text(services.report_pdf(snapshot=snapshot, lang=lang))
        document = json.loads(
            exports.build_export(snapshot=snapshot, kind="snapshot", fmt="json", lang=lang).data
        )
    client.force_login(assessment.created_by)
    url = reverse("results", kwargs={"org_slug": demo.slug, "pk": assessment.pk})
    html = normalise(client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())
    result = snapshot.data["result"]
    summary = document["summary"]
    with translation.override(lang):
        headline = narrative.headline(result)
        verdict = narrative.robustness_verdict(result)
    assert verdict
    path = result["next_stage_path"]["questions"] if result["next_stage_path"] else []
    assert (summary["headline"], summary["robustness"]) == (headline, verdict)
    assert [step["code"] for step in summary["next_stage_path"]] == path
    for surface in (html, text):
        assert headline in surface
        assert verdict in surface
        # The path's questions in the engine's order, after the list's heading.
        start = surface.index(HEADING[lang])
        positions = [surface.index(code, start) for code in path]
        assert positions == sorted(positions)
