from django.urls import path, register_converter

from .views import (
    assessments,
    data_control,
    organisations,
    personal_link,
    plan,
    questionnaire,
    respondents,
    results,
)


class IdConverter:
    """A database id: a number that fits the 64-bit id column. A longer one matches no URL
    (404) instead of reaching the database, which cannot take it."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number >= 2**63:
            raise ValueError(value)  # Django: this URL does not match
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

o = "o/<slug:org_slug>/"
a = o + "a/<id:pk>/"

urlpatterns = [
    path("", organisations.home, name="home"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("invitations/<str:token>/", organisations.invitation_accept, name="invitation_accept"),
    path(o, organisations.organisation, name="organisation"),
    path(o + "edit/", organisations.organisation_edit, name="organisation_edit"),
    path(o + "members/", organisations.members, name="members"),
    path(o + "members/<id:pk>/role/", organisations.member_role, name="member_role"),
    path(o + "members/<id:pk>/remove/", organisations.member_remove, name="member_remove"),
    path(
        o + "invitations/<id:pk>/revoke/",
        organisations.invitation_revoke,
        name="invitation_revoke",
    ),
    path(o + "assessments/new/", assessments.assessment_create, name="assessment_create"),
    path(a, assessments.assessment_detail, name="assessment"),
    path(a + "edit/", assessments.assessment_edit, name="assessment_edit"),
    path(a + "close/", assessments.assessment_close, name="assessment_close"),
    path(a + "reopen/", assessments.assessment_reopen, name="assessment_reopen"),
    path(a + "questionnaire/", questionnaire.questionnaire_resume, name="questionnaire"),
    path(a + "questionnaire/save/", questionnaire.questionnaire_save, name="questionnaire_save"),
    path(
        a + "questionnaire/submit/",
        questionnaire.questionnaire_submit,
        name="questionnaire_submit",
    ),
    path(
        a + "questionnaire/context/",
        questionnaire.questionnaire_context,
        name="questionnaire_context",
    ),
    path(
        a + "questionnaire/<slug:section_key>/",
        questionnaire.questionnaire_section,
        name="questionnaire_section",
    ),
    path(a + "results/", results.results, name="results"),
    # Engagement: respondents without accounts, personal links, participation (issue 13)
    path(a + "participation/", respondents.participation, name="participation"),
    path(a + "respondents/add/", respondents.respondent_add, name="respondent_add"),
    path(a + "respondents/upload/", respondents.respondent_upload, name="respondent_upload"),
    path(
        a + "respondents/upload/confirm/",
        respondents.respondent_import_confirm,
        name="respondent_import_confirm",
    ),
    path(a + "respondents/invite/", respondents.respondents_invite, name="respondents_invite"),
    path(a + "respondents/remind/", respondents.respondents_remind, name="respondents_remind"),
    path(
        a + "respondents/<int:rid>/remind/",
        respondents.respondent_remind,
        name="respondent_remind",
    ),
    path(
        a + "respondents/<int:rid>/resend/",
        respondents.respondent_resend,
        name="respondent_resend",
    ),
    path(
        a + "respondents/<int:rid>/revoke/",
        respondents.respondent_revoke,
        name="respondent_revoke",
    ),
    path(a + "schedule/", respondents.assessment_schedule, name="assessment_schedule"),
    path(a + "r/<int:rid>/", personal_link.respondent_link, name="respondent_link"),
    path(a + "r/<int:rid>/opt-out/", personal_link.respondent_optout, name="respondent_optout"),
    path(a + "results/recompute/", results.results_recompute, name="results_recompute"),
    # Action plan (issue 13)
    path(o + "plan/", plan.plan, name="plan"),
    path(o + "plan/new/", plan.plan_item_new, name="plan_item_new"),
    path(o + "plan/<int:item_pk>/edit/", plan.plan_item_edit, name="plan_item_edit"),
    path(o + "plan/<int:item_pk>/status/", plan.plan_item_status, name="plan_item_status"),
    path(a + "next/", data_control.assessment_next, name="assessment_next"),
    # Data control (issue 13)
    path(o + "audit/", data_control.audit_log, name="audit_log"),
    path(a + "data/", data_control.assessment_data, name="assessment_data"),
    path(a + "delete/", data_control.assessment_delete, name="assessment_delete"),
    path(
        a + "respondents/<int:respondent_pk>/erase/",
        data_control.respondent_erase,
        name="respondent_erase",
    ),
    path("methodology/", results.methodology, name="methodology"),
    path("healthz", results.healthz, name="healthz"),
]
