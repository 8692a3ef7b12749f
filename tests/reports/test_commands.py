"""``render_report``: renders in its own process and writes the PDF; bad input and a missing
chromium end with a clear CommandError, nothing written."""

import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from reports import svg


@pytest.mark.django_db
def test_render_report_writes_pdf(personas, snapshot, fake_svg, tmp_path):
    target = tmp_path / "report.pdf"
    out = io.StringIO()
    call_command(
        "render_report", personas.assessment.pk, "--lang", "en", "--output", str(target),
        stdout=out,
    )  # fmt: skip
    assert f"Wrote {target}" in out.getvalue()
    reader = PdfReader(target)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Executive summary" in reader.pages[1].extract_text()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "There is no assessment with id 999999"),
        (["{pk}", "--lang", "fr"], "Unknown language 'fr': use de or en"),
        (["{pk}", "--output", "/nonexistent/dir/r.pdf"], "does not exist"),
    ],
)
def test_render_report_bad_input_is_a_clear_error(personas, snapshot, tmp_path, args, message):
    args = [a.format(pk=personas.assessment.pk) for a in args]
    if "--output" not in args:
        args += ["--output", str(tmp_path / "r.pdf")]
    with pytest.raises(CommandError, match=message):
        call_command("render_report", *args)
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.django_db
def test_render_report_without_snapshot_is_a_clear_error(personas, tmp_path):
    with pytest.raises(CommandError, match="has no stored result yet: close it first"):
        call_command("render_report", personas.assessment.pk, "--output", str(tmp_path / "r.pdf"))


@pytest.mark.django_db
def test_render_report_without_chromium_names_the_package(
    personas, snapshot, tmp_path, settings, monkeypatch
):
    settings.BROWSER_PATH = "/nonexistent/chromium"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(svg, "_browser", None)
    target = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match="apt-get install chromium"):
        call_command(
            "render_report", personas.assessment.pk, "--lang", "en", "--output", str(target)
        )
    assert not target.exists()
