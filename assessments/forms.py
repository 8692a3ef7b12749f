from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import ratelimit
from .models import Catalogue, Organisation, Perspective, Role
from .narrative import stage_label


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "industry", "size_band", "country"]
        widgets = {"country": forms.TextInput(attrs={"maxlength": 2, "size": 3})}
        help_texts = {"country": _("Two-letter ISO code, e.g. DE, AT, CH.")}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code such as DE."))
        return country


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.RESPONDENT)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SignUpForm(UserCreationForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with at most ``PASSWORD_RESET_LIMIT_PER_EMAIL`` mails per
    target address and ``PASSWORD_RESET_LIMIT_PER_CLIENT`` requests per client address in
    ``PASSWORD_RESET_WINDOW`` seconds. Over a limit nothing is sent, and the view shows the
    same "if an account exists" page, so the limit reveals no account."""

    def save(self, *args, request=None, **kwargs):
        window = settings.PASSWORD_RESET_WINDOW
        email = self.cleaned_data["email"].strip().lower()
        per_client = ratelimit.hit(
            ratelimit.key("pw-reset-client", ratelimit.client_address(request)), window=window
        )
        if per_client > settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
            return
        per_email = ratelimit.hit(ratelimit.key("pw-reset-email", email), window=window)
        if per_email > settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
            return
        super().save(*args, request=request, **kwargs)


PERSPECTIVE_NONE = ""

# An answer as a form or a vote sends it: "0".."4", or "dk" for don't know.
DONT_KNOW = "dk"


def parse_value(raw: str | None) -> tuple[bool, int | None]:
    """(valid, value): "0".."4" are answers, "dk" is don't know (None)."""
    if raw == DONT_KNOW:
        return True, None
    if raw in {"0", "1", "2", "3", "4"}:
        return True, int(raw)
    return False, None


class AssessmentForm(forms.Form):
    """Title, catalogue version, target stage, and per member: answers? with which
    perspective. The member rows are built from the organisation's memberships."""

    title = forms.CharField(label=_("Title"), max_length=200)
    catalogue = forms.ModelChoiceField(
        label=_("Catalogue version"), queryset=Catalogue.objects.all(), empty_label=None
    )
    target_stage = forms.TypedChoiceField(
        label=_("Target stage"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("No target")),
            (1, _("Alignment")),
            (2, _("Integration")),
            (3, _("Co-Creation")),
            (4, _("Fusion / Convergence")),
        ],
    )

    def __init__(self, *args, memberships, with_catalogue=True, catalogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        # Which stage fits which business model (catalogue 2026.2's target_guidance), from
        # the assessment's catalogue, or for a new one the catalogue it starts with.
        self.guidance_catalogue = catalogue or self.initial.get("catalogue")
        if not with_catalogue:
            del self.fields["catalogue"]
        choices = [(PERSPECTIVE_NONE, _("Does not answer")), *Perspective.choices]
        for membership in self.memberships:
            user = membership.user
            self.fields[f"perspective_{user.pk}"] = forms.ChoiceField(
                label=user.get_full_name() or user.get_username(),
                choices=choices,
                required=False,
                help_text=membership.get_role_display(),
            )

    def target_guidance(self) -> list[dict]:
        """[{"stage", "name", "text"}] in the active language; [] for older catalogues."""
        catalogue = self.guidance_catalogue
        if catalogue is None:
            return []
        lang = (get_language() or "de")[:2]
        lang = lang if lang in ("en", "de") else "en"
        return [
            {"stage": g["stage"], "name": stage_label(g["stage"]), "text": g["text"][lang]}
            for g in catalogue.target_guidance
        ]

    def respondent_fields(self):
        return [self[f"perspective_{m.user.pk}"] for m in self.memberships]

    def respondents(self) -> list[tuple]:
        return [
            (m.user, self.cleaned_data[f"perspective_{m.user.pk}"])
            for m in self.memberships
            if self.cleaned_data.get(f"perspective_{m.user.pk}")
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.respondents():
            raise forms.ValidationError(_("Choose at least one respondent."))
        return cleaned


class OrganisationSettingsForm(OrganisationForm):
    """The owner's settings page: the organisation's details and its retention period."""

    class Meta(OrganisationForm.Meta):
        fields = [*OrganisationForm.Meta.fields, "retention_months"]


class ContextAnswersForm(forms.Form):
    """The optional context questions of the questionnaire: one radio group each, with
    "no answer" as the first choice (so an answer can be taken back)."""

    def __init__(self, *args, questions, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.code] = forms.ChoiceField(
                label=question.text,
                help_text=question.help,
                choices=[("", _("No answer")), *question.choices()],
                required=False,
                widget=forms.RadioSelect,
                initial=current.get(question.pk, ""),
            )

    def answers(self) -> dict:
        """{ContextQuestion: option key or None} from the cleaned data."""
        return {q: self.cleaned_data.get(q.code) or None for q in self.questions}
