"""Reads of the reports app. Callers are inside the organisation's scope."""

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
    """The organisation's most recent result stored before this one, of another assessment
    (one query). Progress in the report compares against it."""
    assessment = snapshot.assessment
    return (
        ResultSnapshot.objects.filter(
            assessment__organisation_id=assessment.organisation_id,
            created_at__lt=snapshot.created_at,
        )
        .exclude(assessment_id=assessment.pk)
        .select_related("assessment")
        .order_by("-created_at", "-id")
        .first()
    )


def renders_for(*, snapshot: ResultSnapshot) -> list[ReportRender]:
    """The renders of a snapshot without their PDF bytes (one query)."""
    return list(ReportRender.objects.filter(snapshot=snapshot).defer("pdf"))


def cached_svgs(*, snapshot: ResultSnapshot, lang: str) -> dict[str, str]:
    return dict(ChartSVG.objects.filter(snapshot=snapshot, lang=lang).values_list("name", "svg"))
