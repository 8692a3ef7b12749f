"""Report renders and the chart SVG cache. Both hang off a result snapshot: a snapshot
replaced by a later close takes its renders and charts with it (cascade), so a report never
mixes an old PDF or chart with a new result.

The PDF itself lives in the database (BinaryField): several app servers share one database
and no disk, and the worker that renders is not the server that hands out the download.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from assessments.models import ResultSnapshot

ORG_PATH = "snapshot__assessment__organisation"


class ReportLanguage(models.TextChoices):
    DE = "de", "Deutsch"
    EN = "en", "English"


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ReportRender(models.Model):
    """One PDF of one snapshot in one language (with or without the answers appendix)."""

    snapshot = models.ForeignKey(
        ResultSnapshot, on_delete=models.CASCADE, related_name="report_renders"
    )
    lang = models.CharField(max_length=2, choices=ReportLanguage.choices)
    answers = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation=ORG_PATH)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "lang", "answers"], name="one_render_per_variant"
            )
        ]
        ordering = ["lang", "answers"]

    def __str__(self) -> str:
        return f"report {self.snapshot_id} {self.lang} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (RenderStatus.QUEUED, RenderStatus.RUNNING)


class ChartSVG(models.Model):
    """A chart of a snapshot exported to SVG in one language: exported once, then reused."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="+")
    lang = models.CharField(max_length=2, choices=ReportLanguage.choices)
    name = models.CharField(max_length=40)
    svg = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation=ORG_PATH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "lang", "name"], name="one_chart_svg")
        ]
