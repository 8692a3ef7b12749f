from django.http import HttpResponse
from django.shortcuts import render

from .. import actions, figures, narrative, selectors
from .. import context as context_questions
from ..catalogue import active_catalogue
from ..tenancy import org_view


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
    context.update(
        {
            "snapshot": snapshot,
            "view": view,
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


def catalogue_2026_2_context(assessment, result, sections) -> dict:
    """Actions, dimension heatmaps and context answers (catalogue 2026.2); an older
    catalogue without actions keeps its section recommendations (``actions`` None)."""
    catalogue = assessment.catalogue
    heat = actions.heatmap(result, sections, catalogue.dimensions)
    # The perspective heatmap accompanies the dimension heatmap (2026.2 only); for an older
    # catalogue the perception-gap chart shows the same figures.
    by_group = actions.perspective_heatmap(result, sections) if heat["rows"] else None
    return {
        "actions": (
            actions.action_plan(result, sections, catalogue.owner_roles)
            if actions.has_actions(sections)
            else None
        ),
        "risk_of_staying": actions.risk_of_staying(result, sections),
        "heatmap": heat if heat["rows"] else None,
        "heatmap_groups": by_group,
        "heatmap_charts": {
            "dimensions": figures.to_json(figures.heatmap_figure(heat)),
            "groups": figures.to_json(figures.heatmap_figure(by_group)),
        },
        "context_answers": context_questions.distribution(assessment),
    }


def methodology(request):
    """Public explanation of the scoring, with the parameters of the active catalogue."""
    catalogue = active_catalogue()
    parameters = {
        "threshold": catalogue.threshold if catalogue else 0.6,
        "min_coverage": catalogue.min_coverage if catalogue else 0.5,
        "min_group_size": catalogue.min_group_size if catalogue else 3,
    }
    return render(request, "assessments/methodology.html", {"parameters": parameters})


def healthz(request):
    """Liveness for load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
