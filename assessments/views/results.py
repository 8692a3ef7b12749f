from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import actions, figures, narrative, scoring, selectors, services
from .. import context as context_questions
from ..catalogue import active_catalogue
from ..tenancy import org_view
from .organisations import confirm_page


def _earlier_results(snapshot, sections) -> list[dict]:
    """Results this snapshot held before a recompute, newest first, each with its method
    and headline, so the reader can still see what was reported then."""
    rows = []
    for earlier in snapshot.data.get("previous", []):
        result = earlier["result"]
        rows.append(
            {
                "method": earlier.get("method", 1),
                "computed_at": earlier.get("computed_at"),
                "headline": narrative.headline(result),
                "position": scoring.round_result(result)["position"],
                "stage_label": narrative.stage_label(result["stage"]["index"]),
            }
        )
    return rows


@org_view("view_results")
def results(request, pk):
    """The stored result of the last close; never live answers, so what leadership reads
    here is what the report says."""
    assessment = selectors.get_assessment(request, pk)
    snapshot = getattr(assessment, "snapshot", None)
    context = {"organisation": request.organisation, "assessment": assessment}
    if snapshot is None:
        return render(request, "assessments/results.html", context)
    sections = selectors.catalogue_sections(catalogue=assessment.catalogue)
    result = snapshot.data["result"]
    view = narrative.result_view(result, sections, snapshot.data.get("rounds"))
    titles = view["titles"]
    progress = narrative.progress_since_previous(snapshot=snapshot, sections=sections)
    context.update(
        {
            "snapshot": snapshot,
            "view": view,
            "progress": progress,
            "earlier_results": _earlier_results(snapshot, sections),
            "can_recompute": snapshot.method != scoring.METHOD
            and not assessment.is_open
            and "manage_assessments" in request.capabilities,
            "current_method": scoring.METHOD,
            "charts": {
                "ladder": figures.to_json(figures.ladder_figure(result)),
                "radar": figures.to_json(figures.radar_figure(result, figures.short_titles())),
                "coverage": figures.to_json(figures.coverage_figure(result, titles)),
                "gap": figures.to_json(figures.perception_gap_figure(result, titles)),
            },
            **catalogue_2026_2_context(assessment, result, sections),
        }
    )
    return render(request, "assessments/results.html", context)


@require_http_methods(["GET", "POST"])
@org_view("manage_assessments")
def results_recompute(request, pk):
    """GET: what recomputing does. POST (from that page): recompute the closed assessment's
    stored result with the current method; the earlier result stays readable."""
    assessment = selectors.get_assessment(request, pk)
    results_url = reverse("results", kwargs={"org_slug": request.organisation.slug, "pk": pk})
    snapshot = getattr(assessment, "snapshot", None)
    if assessment.is_open or snapshot is None:
        messages.error(
            request, _("Only a closed assessment with a stored result can be recomputed.")
        )
        return redirect(results_url)
    if snapshot.method == scoring.METHOD:
        messages.info(
            request,
            _("This result is already computed with the current method %(method)s.")
            % {"method": scoring.METHOD},
        )
        return redirect(results_url)
    if request.method == "GET":
        values = {"old": snapshot.method, "new": scoring.METHOD}
        return confirm_page(
            request,
            title=_("Recompute “%(title)s” with method %(new)s?")
            % {"title": assessment.title, **values},
            paragraphs=[
                _(
                    "The stored result was computed with method %(old)s. It is computed again "
                    "with method %(new)s from the answers stored when the assessment was "
                    "closed; answers changed later do not count."
                )
                % values,
                _(
                    "Stage and position can change. The earlier result stays readable on the "
                    "results page, labelled with its method; reports rendered from now on show "
                    "the new result."
                ),
            ],
            action=reverse(
                "results_recompute", kwargs={"org_slug": request.organisation.slug, "pk": pk}
            ),
            confirm_label=_("Recompute with method %(new)s") % values,
            cancel_url=results_url,
        )
    try:
        services.recompute_result(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("The result is recomputed with method %(new)s.") % {"new": scoring.METHOD}
        )
    return redirect(results_url)


def catalogue_2026_2_context(assessment, result, sections) -> dict:
    """The actions, heatmaps (with their charts) and context answers of catalogue 2026.2."""
    blocks = actions.result_blocks(result, sections, assessment.catalogue)
    return {
        **blocks,
        "heatmap_charts": {
            "dimensions": figures.to_json(figures.heatmap_figure(blocks["heatmap"])),
            "groups": figures.to_json(figures.heatmap_figure(blocks["heatmap_groups"])),
        },
        "context_answers": context_questions.distribution(assessment),
    }


def methodology(request):
    """Public explanation of the scoring, with the parameters of the active catalogue (the
    method's defaults when no catalogue is loaded)."""
    catalogue = active_catalogue()
    defaults = scoring.Parameters()
    names = ("threshold", "min_coverage", "min_group_size", "defining_min", "agreement_min")
    parameters = {name: getattr(catalogue if catalogue else defaults, name) for name in names}
    return render(request, "assessments/methodology.html", {"parameters": parameters})


def healthz(request):
    """Liveness for load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
