"""Django admin for staff. Staff work across organisations, so the admin runs with the
tenant scopes disabled; everything else in the app stays scoped."""

from django.contrib import admin
from django_scopes import scopes_disabled

from . import models


class CompassAdminSite(admin.AdminSite):
    site_header = "Co-Creation Compass"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def scoped_out(request, *args, **kwargs):
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response

        return scoped_out


admin_site = CompassAdminSite(name="admin")


@admin.register(models.Organisation, site=admin_site)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "industry", "size_band", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Membership, site=admin_site)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]


@admin.register(models.Catalogue, site=admin_site)
class CatalogueAdmin(admin.ModelAdmin):
    list_display = ["slug", "version", "loaded_at"]
    readonly_fields = ["checksum", "loaded_at"]


@admin.register(models.Assessment, site=admin_site)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["organisation"]


# Staff manage accounts in the same admin site.
from django.contrib.auth.admin import GroupAdmin, UserAdmin  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402

admin_site.register(User, UserAdmin)
admin_site.register(Group, GroupAdmin)
