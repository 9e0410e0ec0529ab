"""The inbox's forms: assign, change status, note, reply, walk-in. Writes are in accueil/inbox.py."""

import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.inbox import NOTE_MAX_LENGTH, REPLY_MAX_LENGTH, TRANSITIONS, answering_agents
from accueil.models import ContactRequest, Notification, RequestKind, RequestStatus, Topic
from core.phone import InvalidPhoneNumber, phone_normalise


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class SentOnceForm(forms.Form):
    """A form whose POST writes once however many times it arrives (a double click, a reload after a slow answer):
    each rendering carries a fresh token that the service records with what it writes."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, contact_request: ContactRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = answering_agents(contact_request.mds_id)
        self.helper = _helper()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, contact_request: ContactRequest, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(contact_request.status, ())
        self.fields["status"].choices = [(value, label) for value, label in RequestStatus.choices if value in allowed]
        self.helper = _helper()


class NoteForm(SentOnceForm):
    text = forms.CharField(
        label=_("Internal note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the agents of this MDS only, never by the person."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReplyForm(SentOnceForm):
    channel = forms.ChoiceField(label=_("Send by"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Reply to the person"), max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Read it again before sending: the person receives exactly this text."),
    )  # fmt: skip

    def __init__(self, *args, channels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, label) for c, label in Notification.Channel.choices if c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
        self.helper = _helper()


class WalkInForm(forms.Form):
    mds = forms.ModelChoiceField(label=_("MDS"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("What for"), choices=RequestKind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    message = forms.CharField(
        label=_("The request"), required=False, max_length=ContactRequest.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    notice = forms.BooleanField(
        label=_("I have told the person what the information notice says (purpose, who reads it, how long it is "
                "kept, their rights)."),
    )  # fmt: skip

    def __init__(self, *args, mds_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mds"].queryset = mds_queryset
        self.helper = _helper()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return phone_normalise(phone)
        except InvalidPhoneNumber:
            raise forms.ValidationError(_("This phone number does not exist; check its digits.")) from None

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and not self.errors:
            raise forms.ValidationError(_("Give a phone number or an email address so that the MDS can answer."))
        return data
