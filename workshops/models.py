"""Live workshop sessions: a room of participants joins by code, votes blind on one question
at a time, sees the distribution when the facilitator reveals it, and may vote again.

Votes are ordinary ``assessments.Answer`` rows of the participants' respondents (round =
the question's voting round in this session), so the normal scoring and closing flow sees
them. Everything a screen shows is read from the database (several app servers behind one
PostgreSQL serve the same session); changes are pushed to the screens through a GRIP proxy
(Pushpin), see ``workshops.push``. Counters on the rows (participants, votes per round) spare
the screens a COUNT per request.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from assessments.models import Assessment, Question, Respondent, Section

# No look-alikes (0/O, 1/I/L): the code is read off a projector and typed on a phone.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes; with the join rate limit not guessable


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Mode(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator-paced")
    SELF = "self", _("Self-paced")


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Phase(models.TextChoices):
    VOTING = "voting", _("Voting")
    REVEALED = "revealed", _("Revealed")


class WorkshopSession(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="workshop_sessions"
    )
    code = models.CharField(_("join code"), max_length=16, unique=True, default=new_join_code)
    mode = models.CharField(
        _("mode"), max_length=12, choices=Mode.choices, default=Mode.FACILITATOR
    )
    # The questions the session covers: one section, or the whole catalogue when empty.
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    current_question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_round = models.PositiveSmallIntegerField(default=1)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.VOTING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Joined participants, counted in the join's transaction (no COUNT per screen update).
    participant_total = models.PositiveIntegerField(default=0)
    # Count pushes are coalesced to one a second per session: when the last went out, and
    # what it said ("participants/votes"), so a later request knows whether one is owed.
    counts_pushed_at = models.DateTimeField(null=True, blank=True)
    counts_pushed = models.CharField(max_length=40, blank=True)
    # The open question asked to the room (empty: none), about the current question's section.
    prompt = models.CharField(_("open question"), max_length=200, blank=True)
    prompt_section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(organisation="assessment__organisation")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.OPEN

    @property
    def is_self_paced(self) -> bool:
        return self.mode == Mode.SELF


class QuestionRound(models.Model):
    """A voting round of one question in one session. Round 1 is created when the question
    is first shown; a re-vote adds round 2 (round 1's answers stay stored)."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="rounds")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now)
    revealed_at = models.DateTimeField(null=True, blank=True)
    # Participants who voted in this round, counted in the vote's transaction.
    votes = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organisation="session__assessment__organisation")

    class Meta:
        ordering = ["session", "question", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "question", "number"], name="one_round_number_per_question"
            )
        ]


class Participant(models.Model):
    """Someone who joined by code. The display name lives only here: results, reports and
    exports read the respondent, never this row. Only a hash of the cookie token is stored."""

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="participants"
    )
    respondent = models.OneToOneField(
        Respondent, on_delete=models.CASCADE, related_name="workshop_participant"
    )
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The join form's one-time nonce: a retried join (lost response) finds the same person
    # instead of adding a second respondent.
    join_nonce = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="session__assessment__organisation")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "join_nonce"],
                condition=~models.Q(join_nonce=""),
                name="one_participant_per_join_nonce",
            )
        ]

    def __str__(self) -> str:
        return f"participant {self.pk}"


class OpenAnswerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the facilitator")
    SHOWN = "shown", _("Shown")


class OpenAnswer(models.Model):
    """A short answer to the room's open question about one section. Never linked to the
    person who wrote it. It reaches the shared screen only after the facilitator chose to
    show it; a hidden answer is deleted. Shown answers stay with the assessment and appear
    as anonymous voices next to the section (``selectors.open_answers_for``)."""

    MAX_LENGTH = 280

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="workshop_open_answers"
    )
    session = models.ForeignKey(
        WorkshopSession, on_delete=models.SET_NULL, null=True, related_name="open_answers"
    )
    section_key = models.CharField(max_length=40)
    prompt = models.CharField(max_length=200)
    text = models.CharField(max_length=MAX_LENGTH)
    status = models.CharField(
        max_length=10, choices=OpenAnswerStatus.choices, default=OpenAnswerStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    shown_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="assessment__organisation")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("open answer")
        verbose_name_plural = _("open answers")

    def __str__(self) -> str:
        return self.text[:40]
