"""Forms of an engagement: one respondent, an upload, the deadline and reminder schedule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language, Perspective


class RespondentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    perspective = forms.ChoiceField(label=_("Perspective"), choices=Perspective.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    invite = forms.BooleanField(label=_("Send the invitation now"), required=False, initial=True)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: name, email, perspective (business, it, other) and optionally "
            "language (de, en). At most 2 MB."
        ),
    )


class ScheduleForm(forms.Form):
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    days_after = forms.CharField(
        label=_("Reminders, days after the invitation"),
        required=False,
        help_text=_("Comma-separated, e.g. 3, 7."),
    )
    days_before = forms.IntegerField(
        label=_("Reminder, days before the deadline"), required=False, min_value=0, max_value=60
    )

    def clean_days_after(self):
        raw = self.cleaned_data["days_after"]
        try:
            days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(_("Enter whole numbers of days, e.g. 3, 7.")) from None
        if any(d < 1 or d > 180 for d in days):
            raise forms.ValidationError(_("Each reminder is 1 to 180 days after the invitation."))
        return days

    def clean(self):
        cleaned = super().clean()
        days = cleaned.get("days_after") or []
        before = cleaned.get("days_before")
        if len(days) + (1 if before is not None and cleaned.get("deadline") else 0) > 3:
            raise forms.ValidationError(_("At most three reminders."))
        return cleaned
