"""The admin site of the project (``CompassAdminConfig.default_site``): Django's own, with the
tenant scopes disabled, since staff work across organisations. Everything else in the app
stays scoped.

In its own module, not in ``assessments/admin.py``: Django imports the default site while
it discovers the apps' admin modules, and those register their models on it."""

from django.contrib import admin
from django_scopes import scopes_disabled


class CompassAdminSite(admin.AdminSite):
    site_header = "Co-Creation Compass"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def scoped_out(request, *args, **kwargs):
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                # Template responses render after the view returns: render here, while the
                # scopes are still disabled.
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response

        return scoped_out
