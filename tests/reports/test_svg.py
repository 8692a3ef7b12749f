"""Chart export with kaleido and the system chromium. The one test with a real browser
exports the four charts of a report once and then proves the cache: a second report of the
same snapshot and language exports nothing."""

import shutil

import pytest
from django_scopes import scope

from reports import pdf, svg
from reports.models import ChartSVG

needs_chromium = pytest.mark.skipif(
    svg.browser_path() is None, reason="chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
def real_browser():
    yield
    svg.shutdown()


@needs_chromium
@pytest.mark.django_db
def test_render_pdf_exports_charts_once_then_from_cache(personas, snapshot, real_browser):
    with scope(organisation=personas.org_a):
        before = svg.export_count
        first = pdf.render_pdf(snapshot=snapshot, lang="de")
        exported = svg.export_count - before
        second = pdf.render_pdf(snapshot=snapshot, lang="de")
        names = set(
            ChartSVG.objects.filter(snapshot=snapshot, lang="de").values_list("name", flat=True)
        )
        svgs = dict(ChartSVG.objects.filter(snapshot=snapshot).values_list("name", "svg"))
    assert exported == 4
    assert svg.export_count - before == 4  # the second report exported nothing
    assert names == {"ladder", "radar", "coverage", "gap"}
    assert all(text.lstrip().startswith("<svg") for text in svgs.values())
    assert "DejaVu Sans" in svgs["radar"]
    assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-")


def test_figure_to_svg_without_chromium_raises_clear_message(settings, monkeypatch):
    settings.BROWSER_PATH = "/nonexistent/chromium"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(svg, "_browser", None)
    with pytest.raises(svg.ChromiumMissing, match="apt-get install chromium"):
        svg.figure_to_svg({"data": [], "layout": {}})
    assert svg._browser is None  # nothing was started


def test_browser_path_prefers_an_executable_setting(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    settings.BROWSER_PATH = str(fake)
    assert svg.browser_path() is None  # not executable
    fake.chmod(0o755)
    assert svg.browser_path() == str(fake)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/chromium")
    settings.BROWSER_PATH = ""
    assert svg.browser_path() == "/usr/bin/chromium"


def test_importing_the_reports_app_starts_no_browser():
    import reports.tasks
    import reports.views  # noqa: F401

    assert svg._browser is None
