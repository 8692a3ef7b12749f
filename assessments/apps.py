from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")
    default = True  # this module holds two app configs; "assessments" means this one

    def ready(self):
        from django.db.models.signals import post_delete

        from . import engagement
        from .models import Respondent

        post_delete.connect(engagement.drop_link_user, sender=Respondent, dispatch_uid="link")


class CompassAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the project's admin site as ``admin.site`` (in INSTALLED_APPS
    instead of "django.contrib.admin")."""

    default = False
    default_site = "assessments.admin_site.CompassAdminSite"
