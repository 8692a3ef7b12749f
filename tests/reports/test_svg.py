"""Chart export with kaleido and the system chromium. The one test with a real browser
exports the four charts of a report once and then proves the cache: a second report of the
same snapshot and language exports nothing. The exported SVG is simplified before it is
cached: the tests below prove on two real exports (tests/reports/data) that the drawing
stays the same."""

import base64
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinycss2
from django_scopes import scope

from reports import services, svg
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
        first = services.report_pdf(snapshot=snapshot, lang="de")
        exported = svg.export_count - before
        second = services.report_pdf(snapshot=snapshot, lang="de")
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
    assert not svg.browser_running()  # nothing was started


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

    assert not svg.browser_running()


# Simplifying the exported SVG before it is cached ----------------------------------------

DATA = Path(__file__).parent / "data"
PLOTLY_SVGS = ["plotly-gap.svg", "plotly-radar.svg"]  # kaleido exports of two report charts
SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str):
    return ET.fromstring(text)  # noqa: S314 - our own test data


def drawn_elements(text: str) -> list[tuple]:
    """Every element that paints, clips or positions something, with the attributes it ends
    up with after WeasyPrint's SVG cascade (attributes and style declarations, inherited
    from the parents): the drawing as WeasyPrint sees it, without the bookkeeping."""
    root = parse(text)
    out = []

    def walk(element, inherited):
        own = {k: v for k, v in element.attrib.items() if k not in ("style", "class")}
        for declaration in tinycss2.parse_blocks_contents(element.get("style", "")):
            if declaration.type == "declaration":
                own[declaration.lower_name] = tinycss2.serialize(declaration.value).strip()
        attrs = {**inherited, **own}
        tag = element.tag.removeprefix(SVG)
        if tag == "g":
            if own.get("opacity") == "1":
                del attrs["opacity"]
            if any(k in attrs for k in ("transform", "clip-path", "opacity")):
                out.append(("g", sorted(attrs.items())))
        elif tag not in ("svg", "defs"):
            out.append((tag, sorted(attrs.items()), (element.text or "").strip()))
        for child in element:
            walk(child, {k: v for k, v in attrs.items() if k not in svg.NOT_INHERITED})
        if tag == "g" and any(k in attrs for k in ("transform", "clip-path", "opacity")):
            out.append(("/g",))

    walk(root, {})
    return out


def paints(item: tuple) -> bool:
    """False for what simplify_svg() drops on purpose: shapes without fill and stroke,
    paths without data, groups that hold nothing."""
    if item[0] in ("rect", "path"):
        attrs = dict(item[1])
        if item[0] == "path" and not attrs.get("d"):
            return False
        no_fill = attrs.get("fill") == "none" or attrs.get("fill-opacity") == "0"
        no_stroke = attrs.get("stroke", "none") == "none" or "0" in (
            attrs.get("stroke-opacity"),
            attrs.get("stroke-width", "").removesuffix("px"),
        )
        return not (no_fill and no_stroke)
    return True


def without_empty_groups(items: list[tuple]) -> list[tuple]:
    out = []
    for item in items:
        if item[0] == "/g" and out and out[-1][0] == "g":
            out.pop()
        else:
            out.append(item)
    return out


@pytest.mark.parametrize("name", PLOTLY_SVGS)
def test_simplify_svg_keeps_the_drawing_with_fewer_elements(name):
    original = (DATA / name).read_text(encoding="utf-8")
    simple = svg.simplify_svg(original)
    before, after = parse(original), parse(simple)
    assert len(list(after.iter())) < len(list(before.iter())) * 0.6
    # Every label, in the same order.
    texts = [t.text for t in before.iter() if t.text and t.text.strip()]
    assert texts and [t.text for t in after.iter() if t.text and t.text.strip()] == texts
    # Every painted element with the same effective attributes, in the same order.
    assert drawn_elements(simple) == without_empty_groups(
        [item for item in drawn_elements(original) if paints(item)]
    )
    # No empty groups or style attributes are left (text runs keep theirs), and doing it
    # twice changes nothing.
    assert not [g for g in after.iter(f"{SVG}g") if len(g) == 0]
    assert not [e for e in after.iter() if "style" in e.attrib and e.tag != f"{SVG}tspan"]
    assert svg.simplify_svg(simple) == simple


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("name", PLOTLY_SVGS)
def test_simplified_svg_renders_pixel_identical_in_weasyprint(name, tmp_path):
    import weasyprint
    from PIL import Image, ImageChops

    original = (DATA / name).read_text(encoding="utf-8")
    images = []
    for label, text in (("original", original), ("simple", svg.simplify_svg(original))):
        source = base64.b64encode(text.encode()).decode()
        html = f'<img style="width: 100%" src="data:image/svg+xml;base64,{source}">'
        (tmp_path / f"{label}.pdf").write_bytes(weasyprint.HTML(string=html).write_pdf())
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-singlefile", label + ".pdf", label],
            cwd=tmp_path,
            check=True,
        )
        images.append(Image.open(tmp_path / f"{label}.png").convert("RGB"))
    assert ImageChops.difference(*images).getbbox() is None


@pytest.mark.parametrize(
    "text",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><style>g { fill: red }</style><g/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: red !important"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x"><g x:a="1"><rect/></g></svg>',
        "<html><g/></html>",
        "<svg><unclosed></svg>",
    ],
)
def test_simplify_svg_leaves_what_it_does_not_understand_unchanged(text):
    assert svg.simplify_svg(text) == text


def test_simplify_svg_keeps_groups_that_matter():
    text = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<g class="layer"><g class="empty"/><g id="target"/>'
        '<g transform="translate(1,1)" style="opacity: 1;"><rect width="1" height="1"/></g>'
        '<g style="opacity: 0.5"><rect width="2" height="2" style="fill: blue"/></g>'
        '<rect class="toggle" width="3" height="3" style="fill: rgb(0, 0, 0); fill-opacity: 0;"/>'
        '<rect width="3" height="3" style="fill-opacity: 0; stroke: red;"/>'
        '<path class="empty-line"/></g></svg>'
    )
    assert svg.simplify_svg(text) == (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><g id="target"/>'
        '<g transform="translate(1,1)"><rect width="1" height="1"/></g>'
        '<g opacity="0.5"><rect width="2" height="2" fill="blue"/></g>'
        '<rect width="3" height="3" fill-opacity="0" stroke="red"/></svg>'
    )


@pytest.mark.django_db
def test_exported_charts_are_cached_simplified(personas, snapshot, monkeypatch, in_scope):
    original = (DATA / "plotly-gap.svg").read_text(encoding="utf-8")
    monkeypatch.setattr(svg, "figure_to_svg", lambda figure, width=700, height=None: original)
    services.report_pdf(snapshot=snapshot, lang="de")
    stored = set(ChartSVG.objects.filter(snapshot=snapshot).values_list("svg", flat=True))
    assert stored == {svg.simplify_svg(original)}
