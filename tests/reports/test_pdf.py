"""The PDF report: its text (extracted with pypdf) holds the stage, the six section titles
and the snapshot's figures as the template formats them; metadata; the local-only fetcher."""

import gc
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import weasyprint
from django.utils import translation
from django_scopes import scope
from pypdf import PdfReader

from assessments import narrative, scoring, services
from assessments import selectors as assessment_selectors
from assessments.templatetags.compass import num, pct
from reports import content, pdf
from tests.factories import UserFactory

from .conftest import answer_all


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return normalise(" ".join(page.extract_text() for page in reader.pages))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "en"])
def test_render_pdf_text_has_stage_sections_and_figures(personas, snapshot, fake_svg, lang):
    with scope(organisation=personas.org_a):
        data = pdf.render_pdf(snapshot=snapshot, lang=lang)
        sections = assessment_selectors.catalogue_sections(catalogue=personas.assessment.catalogue)
    text = pdf_text(data)
    shown = scoring.round_result(snapshot.data["result"])
    with translation.override(lang):
        assert narrative.stage_label(shown["stage"]["index"]) in text
        assert num(shown["position"], 2) in text
        for section in sections:
            assert normalise(section.title) in text
            figures = shown["sections"][section.key]
            assert pct(figures["fulfilment"]) in text
            assert pct(figures["coverage"]) in text
            assert pct(figures["agreement"]) in text
        # The perception gap is shown: both groups have 3 respondents.
        gaps = content.largest_gaps(shown, sections)
        assert len(gaps) == 3
        assert pct(gaps[0]["business"]) in text
    decimal = "," if lang == "de" else "."
    assert f"{shown['position']:.2f}".replace(".", decimal) in text
    assert data.startswith(b"%PDF-")


@pytest.mark.django_db
def test_render_pdf_metadata_title_author_language_and_tags(personas, snapshot, fake_svg):
    with scope(organisation=personas.org_a):
        data = pdf.render_pdf(snapshot=snapshot, lang="en")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Assessment A – Co-Creation maturity report"
    assert reader.metadata.author == "Organisation A"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # tagged PDF
    assert root["/MarkInfo"]["/Marked"]
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


@pytest.mark.django_db
def test_render_pdf_answers_appendix_rounds_and_progress(personas, questions, fake_svg):
    owner = personas.users["owner"]
    with scope(organisation=personas.org_a):
        earlier = services.create_assessment(
            organisation=personas.org_a,
            created_by=owner,
            title="Earlier round",
            catalogue=personas.assessment.catalogue,
            target_stage=3,
            respondents=[(UserFactory(username="someone-else"), "it")],
        )
        previous = answer_all(earlier, questions, [], seed=3, shift=-1.0)
        previous.created_at -= timedelta(days=300)
        previous.save(update_fields=["created_at"])
        current = answer_all(personas.assessment, questions, ["it"], seed=5)
        # Round data a workshop adds to the snapshot is shown when present.
        current.data["rounds"] = {
            "AL-02": [
                {"round": 1, "n": 3, "sigma": 1.0, "agreement": 0.5},
                {"round": 2, "n": 3, "sigma": 0.5, "agreement": 0.75},
            ]
        }
        current.save(update_fields=["data"])
        data = pdf.render_pdf(snapshot=current, lang="en", answers=True)
    text = pdf_text(data)
    assert "Appendix: answers" in text
    assert "Agreement across workshop rounds" in text
    assert "50.0 % 75.0 % +25.0 %" in text
    assert "R1" in text and "R2" in text
    for user in personas.users.values():
        assert user.get_full_name() not in text
        assert user.username not in text
    # Progress against the earlier result: its title and both positions.
    shown_then = scoring.round_result(previous.data["result"])
    shown_now = scoring.round_result(current.data["result"])
    assert "Earlier round" in text
    assert f"{shown_then['position']:.2f}" in text
    assert f"{shown_now['position']:.2f}" in text
    # Only two respondents: no perception gap, the note says why.
    assert "both groups have at least 3 respondents" in text


def layout(source) -> list:
    """Every box of every page: tag, position, size and text."""
    with pdf._RENDER_LOCK:
        document = source.render(stylesheets=[pdf.report_stylesheet()], pdf_tags=True)
    return [
        [
            (box.element_tag, box.position_x, box.position_y, box.width, getattr(box, "text", ""))
            for box in page._page_box.descendants()
        ]
        for page in document.pages
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "en"])
def test_parse_html_reads_the_report_as_xml_with_the_same_layout(
    personas, questions, fake_svg, lang
):
    with scope(organisation=personas.org_a):
        current = answer_all(personas.assessment, questions, ["it", "business", "it"], seed=5)
        current.data["rounds"] = {
            "AL-02": [
                {"round": 1, "n": 3, "sigma": 1.0, "agreement": 0.5},
                {"round": 2, "n": 3, "sigma": 0.5, "agreement": 0.75},
            ]
        }
        html, svgs = pdf.render_html(snapshot=current, lang=lang, answers=True)
    fetcher = pdf.make_fetcher(svgs)
    parsed = pdf.parse_html(html, url_fetcher=fetcher)
    # The template's output is well-formed XML: the fast parser read it, not the fallback.
    assert type(parsed) is not weasyprint.HTML
    reference = weasyprint.HTML(string=html, base_url=pdf.ORIGIN + "/", url_fetcher=fetcher)
    assert layout(parsed) == layout(reference)


def test_parse_html_leaves_what_xml_refuses_to_weasyprints_parser():
    html = "<!DOCTYPE html><html><body><p>Zeile<br>ohne Abschluss</p></body></html>"
    source = pdf.parse_html(html, url_fetcher=pdf.make_fetcher({}))
    assert type(source) is weasyprint.HTML
    assert "Zeileohne Abschluss" in "".join(source.etree_element.itertext())
    assert len(source.render().pages) == 1


def test_parse_html_takes_out_control_characters_no_font_draws():
    # As text pasted into a comment may hold them; XML refuses them too.
    html = "<!DOCTYPE html><html><body><p>Kommentar\x0bmit\x01 Steuer\x1fzeichen</p></body></html>"
    source = pdf.parse_html(html, url_fetcher=pdf.make_fetcher({}))
    assert type(source) is not weasyprint.HTML
    assert "".join(source.etree_element.itertext()) == "Kommentar mit Steuerzeichen"


@pytest.mark.django_db
def test_render_pdf_second_render_exports_no_chart(personas, snapshot, fake_svg):
    with scope(organisation=personas.org_a):
        pdf.render_pdf(snapshot=snapshot, lang="en")
        first = len(fake_svg)
        pdf.render_html(snapshot=snapshot, lang="en")
    assert first == 4  # ladder, radar, coverage, perception gap
    assert len(fake_svg) == first


def test_fetcher_serves_static_and_charts_and_refuses_other_urls():
    fetcher = pdf.make_fetcher({"radar": "<svg/>"})
    css = fetcher.fetch(pdf.ORIGIN + "/static/css/report.css")
    assert b"@page" in css.read()
    assert fetcher.fetch(pdf.ORIGIN + "/charts/radar.svg").read() == b"<svg/>"
    for url in (
        "https://example.org/x.css",
        "http://127.0.0.1:8000/static/css/report.css",
        "file:///etc/passwd",
        pdf.ORIGIN + "/static/../maturity/settings.py",
        pdf.ORIGIN + "/charts/unknown.svg",
        pdf.ORIGIN + "/media/x.png",
    ):
        with pytest.raises(ValueError, match="local files only"):
            fetcher.fetch(url)


def test_report_stylesheet_is_parsed_once_and_again_when_the_file_changes(tmp_path, monkeypatch):
    css = tmp_path / "report.css"
    css.write_text("@page { size: A4 } h2 { color: red }", encoding="utf-8")
    monkeypatch.setattr(pdf, "static_file", lambda relative: css)
    monkeypatch.setattr(pdf, "_stylesheet", None)
    first = pdf.report_stylesheet()
    assert pdf.report_stylesheet() is first
    css.write_text("@page { size: A5 } h2 { color: blue }", encoding="utf-8")
    assert pdf.report_stylesheet() is not first


def test_report_template_links_no_stylesheet_it_is_passed_parsed():
    # A <link> would be fetched and parsed again on every render, on top of the parsed one.
    template = Path(__file__).resolve().parents[2] / "templates" / "reports" / "report.html"
    assert "<link" not in template.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_render_pdf_pauses_the_garbage_collector_and_restores_it(
    personas, snapshot, fake_svg, monkeypatch
):
    stylesheet = pdf.report_stylesheet
    enabled_while_rendering = []

    def recording_stylesheet():
        enabled_while_rendering.append(gc.isenabled())
        return stylesheet()

    def failing_stylesheet():
        raise RuntimeError("broken")

    assert gc.isenabled()
    with scope(organisation=personas.org_a):
        monkeypatch.setattr(pdf, "report_stylesheet", recording_stylesheet)
        assert pdf.render_pdf(snapshot=snapshot, lang="en").startswith(b"%PDF-")
        assert enabled_while_rendering == [False]
        assert gc.isenabled()
        monkeypatch.setattr(pdf, "report_stylesheet", failing_stylesheet)
        with pytest.raises(RuntimeError, match="broken"):
            pdf.render_pdf(snapshot=snapshot, lang="en")
    assert gc.isenabled()


TOC_HTML = """<html lang="en"><style>
  a::after { content: leader(".") target-counter(attr(href), page); }
  section { break-before: page; }
</style><body><ol>
  <li><a href="#one">One</a></li><li><a href="#two">A much longer second title</a></li>
</ol><section id="one">1</section><section id="two">2</section></body></html>"""


def leader_boxes(document):
    from weasyprint.formatting_structure import boxes

    found, stack = [], [page._page_box for page in document.pages]
    while stack:
        box = stack.pop()
        if box.is_leader:
            found.append(box)
        elif isinstance(box, boxes.ParentBox):
            stack.extend(box.children)
    return sorted(found, key=lambda box: box.position_y)


def test_join_leader_dots_draws_the_same_dots_in_runs():
    import weasyprint

    document = weasyprint.HTML(string=TOC_HTML).render()
    before = [
        sorted((dot.position_x, dot.width, dot.text) for dot in leader.children)
        for leader in leader_boxes(document)
    ]
    assert len(before) == 2 and all(len(dots) > 50 for dots in before)
    pdf.join_leader_dots(document)
    for dots, leader in zip(before, leader_boxes(document), strict=True):
        runs = leader.children
        assert len(runs) == -(-len(dots) // pdf.LEADER_RUN)
        assert "".join(run.text for run in runs) == "." * len(dots)
        # Each run starts where its first dot was and ends where its last dot ended.
        for index, run in enumerate(runs):
            first = dots[index * pdf.LEADER_RUN]
            last = dots[min((index + 1) * pdf.LEADER_RUN, len(dots)) - 1]
            assert run.position_x == first[0]
            assert run.position_x + run.width == pytest.approx(last[0] + last[1])
    text = normalise(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document.write_pdf())).pages)
    )
    assert re.search(r"One ?\.{50,} ?2 A much longer second title ?\.{20,} ?3", text)


def test_join_leader_dots_leaves_uneven_leaders_alone():
    import weasyprint

    document = weasyprint.HTML(string=TOC_HTML).render()
    leader = leader_boxes(document)[0]
    leader.children[1].position_x += 0.5  # not side by side any more
    children = leader.children
    pdf.join_leader_dots(document)
    assert leader.children is children


@pytest.mark.django_db
def test_report_table_of_contents_keeps_its_leaders(personas, snapshot, fake_svg):
    with scope(organisation=personas.org_a):
        data = pdf.render_pdf(snapshot=snapshot, lang="en")
    first_page = normalise(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert re.search(r"Executive summary ?\.{50,} ?2 ", first_page)
    assert re.search(r"Methodology ?\.{50,} ?\d+", first_page)
