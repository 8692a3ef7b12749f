"""Permission rows of the workshop URLs. Presenter screens are organisation views for owners
and consultants (capability "facilitate"); participant screens have no login: without the
participant cookie they send everybody to the join page."""

from django_scopes import scope

from assessments.models import Section
from workshops import services

from ..matrix import MANAGERS, Row, assessment, by_role, everyone


def _session(p):
    with scope(organisation=p.org_a):
        section = Section.objects.get(catalogue=p.assessment.catalogue, key="alignment")
        return services.start_session(
            assessment=p.assessment, mode="facilitator", section=section, user=p.users["owner"]
        )


def session(p):
    return {"org_slug": p.org_a.slug, "pk": _session(p).pk}


def code(p):
    return {"code": _session(p).code}


def open_question(p):
    with scope(organisation=p.org_a):
        section = Section.objects.get(catalogue=p.assessment.catalogue, key="alignment")
    return {"prompt": "What holds us back here?", "section": str(section.pk)}


def _presenter_post(**extra):
    return Row("post", by_role(MANAGERS, ok=302), kwargs=session, **extra)


ROWS = {
    "workshop_list": Row("get", by_role(MANAGERS), kwargs=assessment),
    "workshop_start": Row(
        "post",
        by_role(MANAGERS, ok=302),
        kwargs=assessment,
        data=lambda p: {"mode": "facilitator"},
    ),
    "workshop_facilitator": Row("get", by_role(MANAGERS), kwargs=session),
    "workshop_facilitator_state": Row("get", by_role(MANAGERS), kwargs=session),
    "workshop_presenter": Row("get", by_role(MANAGERS), kwargs=session),
    "workshop_presenter_state": Row("get", by_role(MANAGERS), kwargs=session),
    "workshop_navigate": _presenter_post(data=lambda p: {"to": "next"}),
    "workshop_reveal": _presenter_post(),
    "workshop_revote": _presenter_post(),
    "workshop_consensus": _presenter_post(data=lambda p: {"value": "2", "note": "ok"}),
    "workshop_open_question": _presenter_post(data=open_question),
    "workshop_moderate": _presenter_post(data=lambda p: {"answer": "1", "action": "hide"}),
    # GET shows what ending the workshop does; the confirmed POST ends it.
    "workshop_close": Row("get", by_role(MANAGERS), kwargs=session),
    # Participants: no account; the code names the session, a cookie the participant.
    "workshop_join_form": Row("get", everyone(200)),
    "workshop_join": Row("get", everyone(200), kwargs=code),
    "workshop_participant": Row("get", everyone(302), kwargs=code),
    "workshop_participant_state": Row("get", everyone(302), kwargs=code),
    # The room's stream (phones and shared screen); without Pushpin in front: 204, poll.
    "workshop_participant_events": Row("get", everyone(204), kwargs=code),
    "workshop_vote": Row(
        "post", everyone(302), kwargs=code, data=lambda p: {"question": "AL-01", "value": "2"}
    ),
    "workshop_open_answer": Row("post", everyone(302), kwargs=code, data=lambda p: {"text": "x"}),
}
