from django.http import HttpResponse
from django.shortcuts import render

from .. import figures, narrative, selectors
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
        }
    )
    return render(request, "assessments/results.html", context)


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
