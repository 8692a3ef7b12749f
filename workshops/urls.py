from django.urls import path

from . import views

a = "o/<slug:org_slug>/a/<int:pk>/"
w = "o/<slug:org_slug>/workshops/<int:pk>/"
p = "w/<str:code>/"

urlpatterns = [
    # Facilitators (owner, consultant) of the assessment's organisation
    path(a + "workshops/", views.workshop_list, name="workshop_list"),
    path(a + "workshops/start/", views.workshop_start, name="workshop_start"),
    path(w, views.workshop_facilitator, name="workshop_facilitator"),
    path(w + "live/", views.workshop_facilitator_state, name="workshop_facilitator_state"),
    path(w + "screen/", views.workshop_presenter, name="workshop_presenter"),
    path(w + "state/", views.workshop_presenter_state, name="workshop_presenter_state"),
    path(w + "open-question/", views.workshop_open_question, name="workshop_open_question"),
    path(w + "moderate/", views.workshop_moderate, name="workshop_moderate"),
    path(w + "navigate/", views.workshop_navigate, name="workshop_navigate"),
    path(w + "reveal/", views.workshop_reveal, name="workshop_reveal"),
    path(w + "revote/", views.workshop_revote, name="workshop_revote"),
    path(w + "consensus/", views.workshop_consensus, name="workshop_consensus"),
    path(w + "close/", views.workshop_close, name="workshop_close"),
    # Participants: no account, the code and a cookie
    path("join/", views.workshop_join_form, name="workshop_join_form"),
    path("join/<str:code>/", views.workshop_join, name="workshop_join"),
    path(p, views.workshop_participant, name="workshop_participant"),
    path(p + "state/", views.workshop_participant_state, name="workshop_participant_state"),
    path(p + "events/", views.workshop_participant_events, name="workshop_participant_events"),
    path(p + "vote/", views.workshop_vote, name="workshop_vote"),
    path(p + "answer/", views.workshop_open_answer, name="workshop_open_answer"),
]
