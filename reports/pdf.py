"""The PDF report: HTML from a Django template, laid out by WeasyPrint.

Rendered only from the stored result snapshot (never from live answers), inside
``translation.override(lang)``. Charts are the same plotly figures as the results page,
exported to SVG (reports/svg.py) and cached per snapshot and language (ChartSVG).

WeasyPrint fetches through ``LocalFetcher``: /static/ files come from the static files
finders (or STATIC_ROOT), /charts/ from the SVGs in hand, and every other URL is refused, so
rendering never touches the network. Call inside the organisation's scope.
"""

import copy
import functools
import gc
import itertools
import logging
import mimetypes
import textwrap
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import narrative, scoring
from assessments import selectors as assessment_selectors
from assessments.models import ResultSnapshot

from . import chart_text, charts, content, selectors, services

logger = logging.getLogger(__name__)

ORIGIN = "https://report.invalid"  # a base URL that can never reach the network
CHART_WIDTH = 700
_RENDER_LOCK = threading.Lock()
_font_config = None  # one per process: building it costs ~0.15 s per report
_stylesheet = None  # (key, weasyprint.CSS): report.css parsed once per process
STYLESHEET = "css/report.css"
RADAR_WIDTH = 820
LEADER_RUN = 10  # dots of a table-of-contents leader per text box (join_leader_dots)


def _weasyprint():
    # Imported on first use: the web workers that never render do not pay for it.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    return weasyprint, URLFetcher, URLFetcherResponse


def static_file(relative: str) -> Path | None:
    """A static file by its path below STATIC_URL: from the finders, else STATIC_ROOT."""
    relative = relative.lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def make_fetcher(svgs: dict[str, str]):
    """A WeasyPrint URL fetcher that serves static files and the report's charts locally
    and refuses everything else."""
    _wp, URLFetcher, URLFetcherResponse = _weasyprint()
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" == ORIGIN:
                path = unquote(parts.path)
                if path.startswith(static_prefix):
                    found = static_file(path[len(static_prefix) :])
                    if found is not None:
                        mime = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(
                            url, found.read_bytes(), headers={"Content-Type": mime}
                        )
                elif path.startswith("/charts/") and path.endswith(".svg"):
                    name = path[len("/charts/") : -len(".svg")]
                    if name in svgs:
                        return URLFetcherResponse(
                            url,
                            svgs[name].encode("utf-8"),
                            headers={"Content-Type": "image/svg+xml"},
                        )
            raise ValueError(f"not fetched, the report uses local files only: {url}")

    return LocalFetcher()


def parse_html(html: str, *, url_fetcher):
    """The report's HTML as a WeasyPrint document source.

    WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5 parser: ~30 ms of a ~950 ms
    warm render for the demo report. The report template is written as well-formed XML
    (void elements closed, no HTML-only entities, explicit <tbody>), so the C XML parser
    reads it in ~1 ms and gives the same element tree. Whatever it refuses goes through
    WeasyPrint's own parser unchanged.

    Control characters, which text pasted into a comment or title may carry, are taken out
    first (content.printable): no font draws them (the PDF showed an empty box for each)
    and XML does not allow them."""
    import xml.etree.ElementTree as ET

    weasyprint, _fetcher, _response = _weasyprint()
    html = content.printable(html)
    try:
        # Our own template's output; user text in it is escaped by the template engine.
        root = ET.fromstring(html)  # noqa: S314
    except ET.ParseError:
        root = None
    if root is None or root.tag != "html":
        return weasyprint.HTML(string=html, base_url=ORIGIN + "/", url_fetcher=url_fetcher)
    return _parsed_html_class()(root, url_fetcher=url_fetcher)


@functools.cache
def _parsed_html_class():
    import cssselect2

    weasyprint, _fetcher, _response = _weasyprint()

    class ParsedHTML(weasyprint.HTML):
        """weasyprint.HTML from an element tree in hand: sets what HTML.__init__ sets after
        its parse (no <base> element in the report: the base URL is ORIGIN)."""

        def __init__(self, root, *, url_fetcher):
            self.base_url = ORIGIN + "/"
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            self.etree_element = self.wrapper_element.etree_element

    return ParsedHTML


def report_stylesheet():
    """report.css as a parsed WeasyPrint stylesheet, kept for the process and parsed again
    only when the file changes. (A <link> in the template would be fetched, parsed and its
    selectors compiled again for every report.) Call under _RENDER_LOCK."""
    global _stylesheet
    weasyprint, _fetcher, _response = _weasyprint()
    path = static_file(STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"static file not found: {STYLESHEET}")
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _stylesheet is None or _stylesheet[0] != key:
        css = weasyprint.CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=f"{ORIGIN}/{settings.STATIC_URL.strip('/')}/{STYLESHEET}",
            url_fetcher=make_fetcher({}),
        )
        _stylesheet = (key, css)
    return _stylesheet[1]


def _ladder(result: dict):
    figure = charts.ladder_figure(result)
    # Keep the stage names horizontal: plotly would turn "Fusion / Convergence" sideways.
    figure.update_traces(textangle=0, selector={"type": "bar"})
    return figure


def _radar(result: dict, titles: dict[str, str]):
    # Long titles such as "Digital Twin of the Organization (DTO)" are broken into lines
    # and given room beside the circle, else the page cuts them off.
    wrapped = {
        key: "<br>".join(textwrap.wrap(title, 24, break_on_hyphens=False))
        for key, title in titles.items()
    }
    figure = charts.radar_figure(result, wrapped)
    figure.update_layout(
        height=500,
        margin={"l": 150, "r": 150, "t": 50, "b": 90},
        legend={"y": -0.2},
    )
    return figure


def chart_factories(result: dict, titles: dict[str, str]) -> dict:
    """name → (factory, width). Factories run only for charts missing from the cache."""
    return {
        "ladder": (lambda: _ladder(result), CHART_WIDTH),
        "radar": (lambda: _radar(result, titles), RADAR_WIDTH),
        "coverage": (lambda: charts.coverage_figure(result, titles), CHART_WIDTH),
        "gap": (lambda: charts.perception_gap_figure(result, titles), CHART_WIDTH),
    }


def report_context(
    *, snapshot: ResultSnapshot, lang: str, answers: bool, sections, previous
) -> dict:
    """Everything the template shows, in the active language."""
    assessment = snapshot.assessment
    organisation = assessment.organisation
    result = snapshot.data["result"]
    shown = scoring.round_result(result)
    view = narrative.result_view(result, sections)
    level = content.target_level(result["parameters"]["threshold"])
    plan = content.roadmap(result, sections)
    strongest, weakest = content.strongest_weakest(shown, sections)
    gaps = content.largest_gaps(shown, sections) if charts_gap_shown(result) else []
    prior = None
    if previous is not None:
        prior = {
            "result": previous.data["result"],
            "title": previous.assessment.title,
            "date": _date(previous.assessment.closed_at or previous.created_at),
            "catalogue_version": previous.catalogue_version,
            "same_catalogue": previous.catalogue_version == snapshot.catalogue_version,
        }
    prog = content.progress(shown, prior, sections)
    date = _date(snapshot.created_at)
    inputs = snapshot.data.get("inputs", {})
    return {
        "lang": lang,
        "doc_title": _("%(title)s – Co-Creation maturity report") % {"title": assessment.title},
        "organisation": organisation,
        "assessment": assessment,
        "snapshot": snapshot,
        "catalogue_version": snapshot.catalogue_version,
        "date": date,
        "view": view,
        "summary": content.summary_sentences(
            organisation=organisation.name,
            view=view,
            shown=shown,
            sections=sections,
            plan=plan,
            prog=prog,
            gaps=gaps,
        ),
        "strongest": strongest,
        "weakest": weakest,
        "section_pages": content.section_pages(view, shown, sections, level),
        "gaps": gaps,
        "disputed": content.disputed_questions(shown, sections),
        "scale": range(5),
        "roadmap": plan,
        "roadmap_groups": [
            (
                plan["now"],
                plan["now_hidden"],
                _("Now"),
                _("The next rung: these questions raise the stage."),
            ),
            (
                plan["next"],
                plan["next_hidden"],
                _("Next"),
                _("On the way to the target stage, and the enablers it needs."),
            ),
            (
                plan["later"],
                plan["later_hidden"],
                _("Later"),
                _("Everything else below the target level."),
            ),
        ],
        "progress": prog,
        "progress_position_change": content.signed_num(prog["position_change"]) if prog else "",
        "rounds": content.round_rows(snapshot.data, sections),
        "answers": content.answers_appendix(inputs, shown, sections) if answers else None,
        "respondent_ids": [r["id"] for r in inputs.get("respondents", [])],
    }


def charts_gap_shown(result: dict) -> bool:
    groups = result.get("groups", {})
    return (
        "business" in groups
        and "it" in groups
        and any(gap is not None for gap in result["perception_gap"].values())
    )


def _date(value) -> str:
    return date_format(timezone.localtime(value), "DATE_FORMAT")


def render_html(*, snapshot: ResultSnapshot, lang: str, answers: bool = False) -> tuple:
    """(html, svgs) of the report; exports the charts not yet cached."""
    with translation.override(lang):
        sections = assessment_selectors.catalogue_sections(catalogue=snapshot.assessment.catalogue)
        result = snapshot.data["result"]
        titles = narrative.section_titles(sections)
        svgs = services.chart_svgs(
            snapshot=snapshot, lang=lang, figures=chart_factories(result, titles)
        )
        previous = selectors.previous_snapshot(snapshot=snapshot)
        context = report_context(
            snapshot=snapshot, lang=lang, answers=answers, sections=sections, previous=previous
        )
        html = render_to_string("reports/report.html", context)
    return html, svgs


def render_pdf(*, snapshot: ResultSnapshot, lang: str, answers: bool = False) -> bytes:
    """The report as PDF bytes: A4, tagged (structure tags for screen readers), with title,
    author and language. Plain tagging rather than the PDF/UA-1 variant: the variant costs
    another 0.15 s of a ~1 s render and adds no structure beyond the tags."""
    global _font_config
    html, svgs = render_html(snapshot=snapshot, lang=lang, answers=answers)
    with _RENDER_LOCK, _collector_paused():
        chart_text.install()
        if _font_config is None:
            from weasyprint.text.fonts import FontConfiguration

            _font_config = FontConfiguration()
        document = parse_html(html, url_fetcher=make_fetcher(svgs)).render(
            font_config=_font_config, stylesheets=[report_stylesheet()], pdf_tags=True
        )
        join_leader_dots(document)
        data = document.write_pdf(pdf_tags=True)
        del document  # its box tree is garbage now: collected on the way out
    return data


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector during a render, then collect once.

    A report allocates some 300,000 objects (boxes, styles, text layouts). With the default
    thresholds the collector runs about 200 times during one render, twice over every object
    of the process (Django, WeasyPrint: ~170,000 more): 8 % of the render time measured.
    Paused, the render allocates freely; one collection of the youngest generation at the
    end frees the render's reference cycles, so memory stays as before (~20 MB more at the
    peak, nothing left over)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


def join_leader_dots(document) -> None:
    """Draw each leader of the table of contents as a few runs of dots instead of one text
    box per dot.

    WeasyPrint lays a leader out as ~100 copies of a one-dot text box and draws each copy
    on its own (a new Pango layout per dot): ~1,400 text boxes for the demo report's table
    of contents, 8 % of the render. The copies sit side by side, one dot's width apart, so
    a text box holding LEADER_RUN dots at the place of the first of them draws the same
    dots. Each run starts exactly where its first dot was; inside a run the PDF rounds the
    dot's advance to 1/1000 em, which moves a dot by at most ~0.02 pt. Leaders that do not
    look like that are left alone, and so is everything if WeasyPrint's boxes change."""
    try:
        from weasyprint.formatting_structure import boxes

        stack = [page._page_box for page in document.pages]
        while stack:
            box = stack.pop()
            if box.is_leader:
                _join_dots(box, boxes.TextBox)
            elif isinstance(box, boxes.ParentBox):
                stack.extend(box.children)
    except (AttributeError, ImportError, TypeError):
        logger.warning("Leader dots not joined: unexpected WeasyPrint boxes", exc_info=True)


def _join_dots(leader, text_box_class) -> None:
    dots = sorted(leader.children, key=lambda box: box.position_x)
    if len(dots) < 2 or any(type(dot) is not text_box_class for dot in dots):
        return
    first = dots[0]
    for previous, dot in itertools.pairwise(dots):
        if (
            dot.text != first.text
            or dot.style is not first.style
            or dot.position_y != first.position_y
            or abs(dot.position_x - previous.position_x - first.width) > 1e-6
        ):
            return
    runs = []
    for index in range(0, len(dots), LEADER_RUN):
        run = dots[index : index + LEADER_RUN]
        # Between layout and drawing a text box's layout holds no Pango objects, only its
        # text: drawing builds them anew from the text.
        layout = copy.copy(run[0].pango_layout)
        layout.text = first.text * len(run)
        joined = run[0].copy()
        joined.text = layout.text
        joined.pango_layout = layout
        joined.width = run[-1].position_x + run[-1].width - run[0].position_x
        runs.append(joined)
    leader.children = tuple(runs)
