from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Perspective, Section

from .models import Mode, OpenAnswer

VALUE_CHOICES = [(str(i), str(i)) for i in range(5)]
UNANSWERED = "none"


class StartSessionForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Pace"), choices=Mode.choices, initial=Mode.FACILITATOR, widget=forms.RadioSelect
    )
    section = forms.ModelChoiceField(
        label=_("Questions"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=_("The whole questionnaire"),
    )

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(catalogue=catalogue)
        self.fields["section"].label_from_instance = lambda s: s.title


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class JoinForm(forms.Form):
    perspective = forms.ChoiceField(
        label=_("Your perspective"),
        choices=Perspective.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your perspective.")},
    )
    display_name = forms.CharField(
        label=_("Display name (optional)"),
        max_length=40,
        required=False,
        help_text=_("Only you see it. Results never show names."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    nonce = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class ConsensusForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Consensus value"),
        choices=[*VALUE_CHOICES, (UNANSWERED, _("Leave unanswered"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def cleaned_value(self) -> int | None:
        raw = self.cleaned_data["value"]
        return None if raw == UNANSWERED else int(raw)


class OpenQuestionForm(forms.Form):
    prompt = forms.CharField(label=_("Open question"), max_length=200)
    section = forms.ModelChoiceField(
        label=_("About the section"), queryset=Section.objects.none(), empty_label=None
    )

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(catalogue=catalogue)
        self.fields["section"].label_from_instance = lambda s: s.title


class OpenAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer (anonymous)"),
        max_length=OpenAnswer.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": OpenAnswer.MAX_LENGTH}),
        error_messages={
            "required": _("Type a short answer."),
            "max_length": _("Please keep it under %(limit_value)d characters."),
        },
    )
