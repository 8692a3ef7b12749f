"""Permission rows of the reports app (merged into tests/test_permissions.py): owner,
consultant and viewer may read reports and exports; a respondent-only member gets 403; the
owner of organisation B gets 404; anonymous users sign in first."""

from django_scopes import scope

from assessments import services
from reports.models import RenderStatus, ReportRender

from ..matrix import READERS, Row, assessment, by_role


def finished_report(p):
    """A's assessment closed, with a finished PDF in the database."""
    with scope(organisation=p.org_a):
        snapshot = services.close_assessment(assessment=p.assessment)
        render = ReportRender.objects.create(
            snapshot=snapshot, lang="en", status=RenderStatus.DONE, pdf=b"%PDF-1.7 test"
        )
    return {**assessment(p), "render_pk": render.pk}


def export(p):
    return {**assessment(p), "kind": "sections", "fmt": "csv"}


ROWS = {
    # Without a snapshot: asking for a report or an export explains and goes back (302).
    "report_request": Row(
        "post", by_role(READERS, ok=302), kwargs=assessment, data=lambda p: {"lang": "en"}
    ),
    "report_status": Row("get", by_role(READERS), kwargs=assessment),
    "report_box": Row("get", by_role(READERS), kwargs=assessment),
    "report_download": Row("get", by_role(READERS), kwargs=finished_report),
    "report_export": Row("get", by_role(READERS, ok=302), kwargs=export),
}
