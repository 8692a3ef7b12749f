"""Slim models: data and invariants only. Business logic lives in services, selectors and
the pure scoring module.

Tenancy: every row that belongs to an organisation is reached through a django-scopes
``ScopedManager``; a query made outside ``scope(organisation=...)`` raises instead of
returning every organisation's rows.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CONSULTANT = "consultant", _("Consultant")
    RESPONDENT = "respondent", _("Respondent")
    VIEWER = "viewer", _("Viewer")


class Perspective(models.TextChoices):
    BUSINESS = "business", _("Business")
    IT = "it", _("IT")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    SMALL = "small", _("Up to 249 employees")
    MEDIUM = "medium", _("250 to 999 employees")
    LARGE = "large", _("1,000 to 9,999 employees")
    ENTERPRISE = "enterprise", _("10,000 employees or more")


class SectionKind(models.TextChoices):
    STAGE = "stage", _("Stage")
    ENABLER = "enabler", _("Enabler")


class Bilingual:
    """Pick the German or English variant of a field pair by the active language."""

    def pick(self, base: str) -> str:
        lang = (get_language() or "de")[:2]
        value = getattr(self, f"{base}_{lang}", "") if lang in ("de", "en") else ""
        return value or getattr(self, f"{base}_en")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    size_band = models.CharField(
        _("size"), max_length=20, choices=SizeBand.choices, default=SizeBand.MEDIUM
    )
    country = models.CharField(_("country"), max_length=2, default="DE")
    # Months after an assessment's close when its respondents' answers and personal data are
    # erased (``manage.py apply_retention``); empty keeps them.
    retention_months = models.PositiveSmallIntegerField(
        _("delete respondents' data after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Months after an assessment is closed when its respondents' answers and personal "
            "data are erased; the stored result keeps its figures. Leave empty to keep them."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation_id} ({self.role})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired: only a pending link can be accepted."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def is_for(self, user) -> bool:
        # E-mail addresses are compared case-insensitively (the domain part always is, and
        # no mail provider in practice distinguishes the local part by case).
        return bool(user.email) and user.email.strip().lower() == self.email.lower()


class Catalogue(models.Model):
    """One immutable version of the question catalogue, loaded from YAML."""

    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=30)
    title_en = models.CharField(max_length=200)
    title_de = models.CharField(max_length=200)
    # Scoring parameters (SCORING.md): θ, c_min, k, d, r_min.
    threshold = models.FloatField(default=0.6)
    min_coverage = models.FloatField(default=0.75)
    min_group_size = models.PositiveSmallIntegerField(default=3)
    defining_min = models.PositiveSmallIntegerField(default=2)
    agreement_min = models.FloatField(default=0.7)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)
    # Catalogue 2026.2 and later (empty for 2026.1): [{key, title: {en, de}}] each;
    # target_guidance [{stage, key, text: {en, de}}]; code_map {old code: [new codes]}.
    dimensions = models.JSONField(default=list, blank=True)
    owner_roles = models.JSONField(default=list, blank=True)
    target_guidance = models.JSONField(default=list, blank=True)
    code_map = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="unique_catalogue_version")
        ]
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"


class Section(Bilingual, models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=SectionKind.choices)
    order = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=200)
    title_de = models.CharField(max_length=200)
    description_en = models.TextField(blank=True)
    description_de = models.TextField(blank=True)
    # {"low": {"en": [...], "de": [...]}, "mid": {...}, "high": {...}}
    recommendations = models.JSONField(default=dict)
    # 2026.2: one paragraph in place of the band recommendations, and the articles' words on
    # what staying at this stage risks ({en, de}; empty for enablers and older catalogues).
    summary_en = models.TextField(blank=True)
    summary_de = models.TextField(blank=True)
    risk_of_staying = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "key"], name="unique_section_key")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def title(self) -> str:
        return self.pick("title")

    @property
    def description(self) -> str:
        return self.pick("description")

    @property
    def summary(self) -> str:
        return self.pick("summary")

    def recommendations_for(self, band: str) -> list[str]:
        lang = (get_language() or "de")[:2]
        texts = self.recommendations.get(band, {})
        return texts.get(lang) or texts.get("en", [])


class Question(Bilingual, models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=20)
    order = models.PositiveSmallIntegerField()
    weight = models.FloatField(default=1.0)
    # A defining question must reach d ("partly") for its stage section to be reached.
    defining = models.BooleanField(default=False)
    why_defining_en = models.TextField(blank=True)
    why_defining_de = models.TextField(blank=True)
    text_en = models.TextField()
    text_de = models.TextField()
    help_en = models.TextField(blank=True)
    help_de = models.TextField(blank=True)
    labels_en = models.JSONField()
    labels_de = models.JSONField()
    source = models.TextField(blank=True)
    # 2026.2: the cross-cutting dimension (a key of the catalogue's dimensions) and the
    # action that moves the question up: {title, first_step, indicator, prerequisites?:
    # {en, de}, owner, horizon, effort}. Empty for older catalogues.
    dimension = models.CharField(max_length=40, blank=True)
    action = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="unique_question_code")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return self.pick("text")

    @property
    def help(self) -> str:
        return self.pick("help")

    @property
    def why_defining(self) -> str:
        return self.pick("why_defining")

    @property
    def labels(self) -> list[str]:
        lang = (get_language() or "de")[:2]
        return self.labels_de if lang == "de" else self.labels_en


class ContextKind(models.TextChoices):
    OUTCOME = "outcome", _("Outcome")
    BUSINESS_MODEL = "business_model", _("Business model")


class ContextQuestion(Bilingual, models.Model):
    """An unscored question about outcomes or the business model (catalogue 2026.2). It is
    no part of any section and never enters the scoring; ``options`` is
    ``[{key, label: {en, de}}]``."""

    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="context_questions"
    )
    code = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=ContextKind.choices)
    order = models.PositiveSmallIntegerField()
    text_en = models.TextField()
    text_de = models.TextField()
    help_en = models.TextField(blank=True)
    help_de = models.TextField(blank=True)
    options = models.JSONField(default=list)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="unique_context_question_code"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return self.pick("text")

    @property
    def help(self) -> str:
        return self.pick("help")

    def choices(self) -> list[tuple[str, str]]:
        """(key, label) in the active language."""
        lang = (get_language() or "de")[:2]
        lang = lang if lang in ("en", "de") else "en"
        return [(o["key"], o["label"][lang] or o["label"]["en"]) for o in self.options]


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def default_reminder_days() -> list[int]:
    return [3, 7]


class Assessment(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assessments"
    )
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    target_stage = models.PositiveSmallIntegerField(
        _("target stage"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The one-time token of the "new assessment" form that created it: a second submit of
    # the same form (a double click, a reload) finds this assessment instead of a copy.
    creation_token = models.UUIDField(null=True, blank=True, editable=False)
    # Engagement (assessments/engagement.py): an optional last day for answers, and when
    # respondents who have not submitted are reminded (days after their invitation, days
    # before the deadline; at most three reminders in all).
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reminder_days_after = models.JSONField(
        _("reminders, days after the invitation"), default=default_reminder_days
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before the deadline"), null=True, blank=True, default=2
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "creation_token"], name="one_assessment_per_form"
            )
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == AssessmentStatus.OPEN


class Language(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


class Respondent(models.Model):
    """Someone whose answers count: a member invited to the questionnaire, a person without
    an account who answers by personal link (name, e-mail, ``link_user``), or a workshop
    participant (then ``user`` is empty and the workshop app links the participant)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="respondents",
    )
    perspective = models.CharField(_("perspective"), max_length=10, choices=Perspective.choices)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Personal link (assessments/engagement.py). The link user is a hidden account without a
    # usable password that only django-sesame tokens reach; it is never a member.
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DE
    )
    link_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_link_respondent",
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_opt_out = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A mail waiting to go out ("invitation" or "reminder"), its failed attempts, the last
    # error and when ``manage.py remind`` tries again (None with an error: given up).
    mail_pending = models.CharField(max_length=20, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.TextField(blank=True)
    mail_retry_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="assessment__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=models.Q(user__isnull=False),
                name="one_respondent_per_user",
            ),
            models.UniqueConstraint(
                fields=["assessment", "email"],
                condition=~models.Q(email=""),
                name="one_respondent_per_email",
            ),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"respondent {self.pk}"


class Answer(models.Model):
    """One respondent's answer to one question in one voting round.

    ``value`` is 0..4, or null for *don't know*; a question without a row was skipped (the
    scoring treats both alike). ``client_ts`` is the time the person clicked, in the
    browser's milliseconds: a save only applies when it is newer than the stored one, so a
    late retry of an old click never overwrites a newer answer.
    """

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    client_ts = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="respondent__assessment__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "question", "round"], name="one_answer_per_round"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__lte=4),
                name="answer_value_range",
            ),
        ]


class ContextAnswer(models.Model):
    """A respondent's answer to a context question: one option key. Unscored."""

    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="context_answers"
    )
    question = models.ForeignKey(ContextQuestion, on_delete=models.PROTECT, related_name="+")
    option = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="respondent__assessment__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "question"], name="one_context_answer_per_question"
            )
        ]


class Consensus(models.Model):
    """A facilitator's consensus value for a question; null means "left unanswered"."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="consensus_values"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    note = models.TextField(blank=True, max_length=2000)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="assessment__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_consensus_per_question"
            )
        ]


class ResultSnapshot(models.Model):
    """The scoring output stored when an assessment is closed. Results pages and reports
    read only this, so a report always matches what was closed.

    ``method`` is the scoring method that computed ``data["result"]``. Recomputing a
    closed assessment with the current method (``services.recompute_result``) replaces
    the result and moves the earlier one into ``data["previous"]``, newest first, each
    ``{"method", "computed_at", "result"}``, so it stays readable with its method."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="snapshot")
    catalogue_version = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    method = models.PositiveSmallIntegerField(default=2)
    # {"inputs": {...}, "result": {...full-precision scoring output...}, "rounds": {...},
    #  "previous": [{"method": 1, "computed_at": "...", "result": {...}}, ...] (if rescored)}
    data = models.JSONField()

    objects = ScopedManager(organisation="assessment__organisation")

    @property
    def previous_results(self) -> list[dict]:
        """Earlier results of this snapshot (newest first), each with its method."""
        return self.data.get("previous", [])


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class PlanItem(models.Model):
    """One action of the organisation's plan. It belongs to the organisation, not to a
    snapshot, so it carries over to the next assessment; ``assessment`` names where it came
    from (emptied when that assessment is deleted). ``question_codes`` are catalogue codes,
    stable across catalogue versions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="plan_items"
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    question_codes = models.JSONField(_("questions"), default=list, blank=True)
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("plan item", "owner"),
    )
    owner_name = models.CharField(_("owner (name)"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in (PlanStatus.OPEN, PlanStatus.IN_PROGRESS)

    @property
    def owner_label(self) -> str:
        if self.owner_id is not None and self.owner is not None:
            return self.owner.get_full_name() or self.owner.get_username()
        return self.owner_name


class AuditKind(models.TextChoices):
    ASSESSMENT_DELETED = "assessment_deleted", _("Assessment deleted")
    RESPONDENT_ERASED = "respondent_erased", _("Respondent's data erased")
    RETENTION_APPLIED = "retention_applied", _("Retention period applied")


class AuditEvent(models.Model):
    """A record that data was deleted: who, when, what kind and how many rows. It keeps no
    erased data: no names, no answers, not even the assessment's title."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    kind = models.CharField(max_length=30, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )  # empty: the worker applied the retention setting (or the actor's account is gone)
    assessment_ref = models.PositiveIntegerField(null=True, blank=True)  # the id it had
    counts = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
