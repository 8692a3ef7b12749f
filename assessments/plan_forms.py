import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import PlanItem, PlanStatus, Question

_CODE_SPLIT = re.compile(r"[\s,;]+")


class PlanItemForm(forms.ModelForm):
    """One plan item. The owner is a member of the organisation, or a name typed in."""

    question_codes = forms.CharField(
        label=_("Questions"),
        required=False,
        max_length=300,
        help_text=_("Question codes this action moves, e.g. CC-03 CC-05."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner (member)"), queryset=get_user_model().objects.none(), required=False
    )

    class Meta:
        model = PlanItem
        fields = ["title", "question_codes", "owner", "owner_name", "due_date", "status", "note"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner_name": _("or owner (name)")}
        help_texts = {"owner_name": _("Someone who is not a member, e.g. an external partner.")}

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        users = [m.user for m in memberships]
        self.fields["owner"].queryset = get_user_model().objects.filter(
            pk__in=[u.pk for u in users]
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["status"].choices = PlanStatus.choices
        if self.instance.pk and not self.is_bound:
            self.initial["question_codes"] = " ".join(self.instance.question_codes)

    def clean_question_codes(self):
        text = self.cleaned_data["question_codes"].strip().upper()
        codes = list(dict.fromkeys(c for c in _CODE_SPLIT.split(text) if c))
        known = set(Question.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown question code: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner") is not None and cleaned.get("owner_name"):
            self.add_error("owner_name", _("Choose a member or type a name, not both."))
        return cleaned


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
