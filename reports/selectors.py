"""Reads of the reports app. Callers are inside the organisation's scope."""

from assessments import selectors as assessment_selectors
from assessments.models import Assessment, ResultSnapshot

from .models import ChartSVG, ReportRender


def snapshot_of(*, assessment: Assessment) -> ResultSnapshot | None:
    """The stored result of an assessment's last close, or None (one query)."""
    return (
        ResultSnapshot.objects.filter(assessment=assessment)
        .select_related("assessment__organisation", "assessment__catalogue")
        .first()
    )


def previous_snapshot(*, snapshot: ResultSnapshot) -> ResultSnapshot | None:
    """The organisation's previous result; the same one the results page compares with."""
    return assessment_selectors.previous_snapshot(snapshot=snapshot)


def renders_for(*, snapshot: ResultSnapshot) -> list[ReportRender]:
    """The renders of a snapshot without their PDF bytes (one query)."""
    return list(ReportRender.objects.filter(snapshot=snapshot).defer("pdf"))


def cached_svgs(*, snapshot: ResultSnapshot, lang: str) -> dict[str, str]:
    return dict(ChartSVG.objects.filter(snapshot=snapshot, lang=lang).values_list("name", "svg"))
