from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.models.signals import post_save

        from assessments.models import ResultSnapshot

        from . import tasks

        # A stored result that changes makes its PDFs and charts stale (assessments knows
        # nothing of reports, so reports listens).
        post_save.connect(tasks.snapshot_changed, sender=ResultSnapshot, dispatch_uid="reports")
