"""Django admin for staff (on the site of ``admin_site.py``, which runs without tenant
scopes). Users and groups are registered by django.contrib.auth's own admin module."""

from django.contrib import admin

from . import models


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "industry", "size_band", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]


@admin.register(models.Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    list_display = ["slug", "version", "loaded_at"]
    readonly_fields = ["checksum", "loaded_at"]


@admin.register(models.Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["organisation"]
