"""Staff admin for workshop sessions. Participants' display names and token hashes are left
out: staff see who took part by perspective only."""

from django.contrib import admin

from . import models


class ParticipantInline(admin.TabularInline):
    model = models.Participant
    fields = ["respondent", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.WorkshopSession)
class WorkshopSessionAdmin(admin.ModelAdmin):
    list_display = ["code", "assessment", "mode", "status", "phase", "created_at"]
    list_filter = ["status", "mode"]
    list_select_related = ["assessment"]
    readonly_fields = ["code", "current_question", "current_round", "phase", "created_by"]
    inlines = [ParticipantInline]


@admin.register(models.QuestionRound)
class QuestionRoundAdmin(admin.ModelAdmin):
    list_display = ["session", "question", "number", "opened_at", "revealed_at"]
    list_select_related = ["session", "question"]
