"""The PDF report: HTML from a Django template, laid out by WeasyPrint through its public
API (``HTML``, ``CSS``, ``URLFetcher``, ``FontConfiguration``).

Pure rendering: rendered only from the stored result snapshot (never from live answers),
inside ``translation.override(lang)``, with the chart SVGs handed in. Exporting and caching
the charts is services' job (services.report_pdf); this module imports neither services
nor tasks. The charts are the results page's plotly figures (assessments.figures).

WeasyPrint fetches through ``LocalFetcher``: /static/ files come from the static files
finders (or STATIC_ROOT), /charts/ from the SVGs in hand, and every other URL is refused, so
rendering never touches the network. Call inside the organisation's scope.
"""

import logging
import mimetypes
import textwrap
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import actions, figures, formatting, narrative, plans, scoring
from assessments import context as context_questions
from assessments import selectors as assessment_selectors
from assessments.models import ResultSnapshot

from . import content

logger = logging.getLogger(__name__)

ORIGIN = "https://report.invalid"  # a base URL that can never reach the network
CHART_WIDTH = 700
# WeasyPrint documents no thread safety; the task worker renders one report at a time
# anyway, and the lock guards the per-process font configuration and stylesheet below.
_RENDER_LOCK = threading.Lock()
_font_config = None  # one per process: building it costs ~0.15 s per report
_stylesheet = None  # (key, weasyprint.CSS): report.css parsed once per process
STYLESHEET = "css/report.css"
RADAR_WIDTH = 820


def _weasyprint():
    # Imported on first use: the web workers that never render do not pay for it.
    import weasyprint

    return weasyprint


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
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class LocalFetcher(URLFetcher):
        # WeasyPrint's documented extension point: a URLFetcher subclass with its own fetch.
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


def document(html: str, *, url_fetcher):
    """The report's HTML as a WeasyPrint document source (its own HTML parser).

    Control characters, which text pasted into a comment or title may carry, are taken out
    first (content.printable): no font draws them (the PDF showed an empty box for each)."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(
        string=content.printable(html), base_url=ORIGIN + "/", url_fetcher=url_fetcher
    )


def font_config():
    """One FontConfiguration per process (building it costs ~0.15 s). Call under
    _RENDER_LOCK."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def report_stylesheet():
    """report.css as a parsed WeasyPrint stylesheet (``weasyprint.CSS``), kept for the
    process and parsed again only when the file changes. (A <link> in the template would be
    fetched and parsed again for every report.) Call under _RENDER_LOCK."""
    global _stylesheet
    weasyprint = _weasyprint()
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
            font_config=font_config(),
        )
        _stylesheet = (key, css)
    return _stylesheet[1]


def _ladder(result: dict):
    figure = figures.ladder_figure(result)
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
    figure = figures.radar_figure(result, wrapped)
    figure.update_layout(
        height=500,
        margin={"l": 150, "r": 150, "t": 50, "b": 90},
        legend={"y": -0.2},
    )
    return figure


def chart_factories(*, snapshot: ResultSnapshot) -> dict:
    """The report's charts as name → (figure factory, width), for services.chart_svgs, which
    runs a factory only for a chart missing from the cache. Call inside the report's
    language."""
    sections = assessment_selectors.catalogue_sections(catalogue=snapshot.assessment.catalogue)
    result = snapshot.data["result"]
    titles = narrative.section_titles(sections)
    return {
        "ladder": (lambda: _ladder(result), CHART_WIDTH),
        "radar": (lambda: _radar(result, titles), RADAR_WIDTH),
        "coverage": (lambda: figures.coverage_figure(result, titles), CHART_WIDTH),
        "gap": (lambda: figures.perception_gap_figure(result, titles), CHART_WIDTH),
        # Catalogue 2026.2: dimension × section, and perspective × section where k is met.
        "heatmap": (
            lambda: figures.heatmap_figure(
                actions.heatmap(result, sections, snapshot.assessment.catalogue.dimensions)
            ),
            CHART_WIDTH,
        ),
        "heatmap_groups": (
            lambda: (
                figures.heatmap_figure(actions.perspective_heatmap(result, sections))
                if snapshot.assessment.catalogue.dimensions
                else None
            ),
            CHART_WIDTH,
        ),
    }


def report_context(*, snapshot: ResultSnapshot, lang: str, answers: bool, sections) -> dict:
    """Everything the template shows, in the active language."""
    assessment = snapshot.assessment
    organisation = assessment.organisation
    result = snapshot.data["result"]
    shown = scoring.round_result(result)
    view = narrative.result_view(result, sections)
    level = content.target_level(result["parameters"]["threshold"])
    plan = content.roadmap(result, sections)
    if actions.has_actions(sections):
        # The executive summary names the path's actions instead (catalogue 2026.2); the
        # priority roadmap's "most important next step" would point at a list not shown.
        plan = {**plan, "top": None}
    strongest, weakest = content.strongest_weakest(shown, sections)
    gaps = content.largest_gaps(shown, sections) if charts_gap_shown(result) else []
    prog = narrative.progress_since_previous(snapshot=snapshot, sections=sections)
    if prog is not None:
        prog["date"] = _date(prog["date"])
    # The assessment's date (its close), not the day the result was (re)computed.
    date = _date(assessment.closed_at or snapshot.created_at)
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
        "progress_position_change": formatting.signed_num(prog["position_change"]) if prog else "",
        "rounds": content.round_rows(snapshot.data, sections),
        "answers": content.answers_appendix(inputs, shown, sections) if answers else None,
        "respondent_ids": [r["id"] for r in inputs.get("respondents", [])],
        **actions.result_blocks(result, sections, assessment.catalogue),
        "context_answers": context_questions.distribution(assessment),
        "action_plan": plans.plan_report(assessment=assessment, snapshot=snapshot),
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


def render_html(
    *, snapshot: ResultSnapshot, lang: str, answers: bool = False, svgs: dict[str, str]
) -> str:
    """The report's HTML; ``svgs`` (name → SVG text) are the charts it shows."""
    with translation.override(lang):
        sections = assessment_selectors.catalogue_sections(catalogue=snapshot.assessment.catalogue)
        context = report_context(snapshot=snapshot, lang=lang, answers=answers, sections=sections)
        return render_to_string("reports/report.html", context)


def render_pdf(
    *, snapshot: ResultSnapshot, lang: str, answers: bool = False, svgs: dict[str, str]
) -> bytes:
    """The report as PDF bytes: A4, tagged (structure tags for screen readers), with title,
    author and language. Plain tagging rather than the PDF/UA-1 variant: the variant costs
    another 0.15 s of a ~1 s render and adds no structure beyond the tags."""
    html = render_html(snapshot=snapshot, lang=lang, answers=answers, svgs=svgs)
    with _RENDER_LOCK:
        return document(html, url_fetcher=make_fetcher(svgs)).write_pdf(
            stylesheets=[report_stylesheet()], font_config=font_config(), pdf_tags=True
        )
