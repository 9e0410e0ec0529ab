"""The public contact form: what a person tells an MDS, checked and cleaned, in their language.

Every label, help text and error message here is shown to the public: they are in the public catalogues
(accueil/locale/<lang>/, scripts/messages) as well as the French one.
"""

import re
import time
import unicodedata
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accueil.models import CallbackChannel, CallbackWindow, CommuneRouting, ContactRequest, RequestKind, Topic
from core.fields import PhoneNumberFormField
from core.forms import DescribedForm
from sites.models import Mds

STARTED_SALT = "accueil.contact.started"
STARTED_MAX_AGE = 24 * 60 * 60  # a form left open a whole day is sent again with a fresh token

# Control characters (C0, DEL, C1) are never part of what a person means; a message keeps its line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def started_token(at: float | None = None) -> str:
    """The moment the form was shown, signed: a robot that posts at once is told apart from a person."""
    return signing.dumps(int(at if at is not None else time.time()), salt=STARTED_SALT)


def started_at(token: str, *, now: float) -> int | None:
    """When the form was shown, or None for a token we did not sign, or shown too long ago."""
    try:
        shown = int(signing.loads(token, salt=STARTED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return shown if now - shown <= STARTED_MAX_AGE else None


def _one_line(value: str) -> str:
    return " ".join(_CONTROL_ONE_LINE.sub(" ", unicodedata.normalize("NFC", value)).split())


class MdsChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Mds) -> str:
        # Name and commune: the list is searched by either (typing in a <select> jumps to the label).
        return f"{obj.name} — {obj.commune}" if obj.commune and obj.commune not in obj.name else obj.name


class ContactForm(DescribedForm):
    """Names and widgets chosen for a phone: one column, large targets, the keyboard each field needs."""

    mds = MdsChoiceField(
        label=_("Your MDS"), queryset=Mds.objects.order_by("name"), required=False,
        empty_label=_("Choose your MDS"),
        help_text=_("The MDS near your home. If you do not know it, leave this empty and give your commune."),
    )  # fmt: skip
    commune = forms.CharField(
        label=_("Your commune"), max_length=120, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("What do you need?"), choices=RequestKind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you need.")},
    )  # fmt: skip
    topic = forms.ChoiceField(
        label=_("What is it about?"), choices=Topic.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your request is about.")},
    )  # fmt: skip
    first_name = forms.CharField(
        label=_("First name"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Give your last name.")},
    )  # fmt: skip
    phone = PhoneNumberFormField(
        label=_("Phone"), required=False, help_text=_("E.g. 06 12 34 56 78. A phone number or an email, or both.")
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    callback_channels = forms.MultipleChoiceField(
        label=_("How should we answer you?"), choices=CallbackChannel.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    callback_windows = forms.MultipleChoiceField(
        label=_("When can we call you?"), choices=CallbackWindow.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    message = forms.CharField(
        label=_("Your message"), max_length=ContactRequest.MESSAGE_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional. Say in a few words what you need; no medical details."),
    )  # fmt: skip
    interpreter_language = forms.CharField(
        label=_("I need an interpreter in this language"), max_length=60, required=False
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"), max_length=300, required=False,
        help_text=_("E.g. wheelchair access, sign language, large print."),
    )  # fmt: skip
    notice = forms.BooleanField(
        label=_("I have read the information notice above."),
        error_messages={"required": _("Tick this box to say that you have read the information notice.")},
    )
    # Hidden from people (CSS and aria-hidden), not from robots: it must stay empty.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # The proof of work (accueil/pow.py), when it is switched on: the signed challenge and the browser's answer.
    pow_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=400)
    pow_number = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    # The fields each <fieldset> of the page holds, in order (the template walks these).
    CONTACT_FIELDS = ("first_name", "last_name", "phone", "email")
    NEEDS_FIELDS = ("interpreter_language", "accessibility_needs")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    CHOICE_GROUPS = ("kind", "topic", "callback_channels", "callback_windows")

    def clean_commune(self) -> str:
        return _one_line(self.cleaned_data["commune"])

    def clean_first_name(self) -> str:
        return _one_line(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        value = _one_line(self.cleaned_data["last_name"])
        if not value:
            raise ValidationError(_("Give your last name."), code="required")
        return value

    def clean_interpreter_language(self) -> str:
        return _one_line(self.cleaned_data["interpreter_language"])

    def clean_accessibility_needs(self) -> str:
        return _one_line(self.cleaned_data["accessibility_needs"])

    def clean_message(self) -> str:
        return _CONTROL.sub("", unicodedata.normalize("NFC", self.cleaned_data["message"])).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("mds") and "mds" not in self.errors:
            routed = self.routed_mds(data.get("commune", ""))
            if routed is not None:
                data["mds"] = routed
            elif data.get("commune"):
                self.add_error("mds", ValidationError(
                    _("We do not know which MDS serves this commune: choose your MDS in the list."), code="unrouted"
                ))  # fmt: skip
            else:
                self.add_error("mds", ValidationError(_("Choose your MDS, or give your commune."), code="required"))
        phone, email = data.get("phone"), data.get("email")
        if "phone" not in self.errors and "email" not in self.errors and not phone and not email:
            self.add_error("phone", ValidationError(
                _("Give a phone number or an email address so that the MDS can answer."), code="no_contact"
            ))  # fmt: skip
        channels = data.get("callback_channels") or []
        if not phone and "phone" not in self.errors and {"phone", "sms"} & set(channels):
            self.add_error("phone", ValidationError(
                _("You asked to be answered by phone or SMS: give your phone number."), code="channel_phone"
            ))  # fmt: skip
        if not email and "email" not in self.errors and "email" in channels:
            self.add_error("email", ValidationError(
                _("You asked to be answered by email: give your email address."), code="channel_email"
            ))  # fmt: skip
        return data

    @staticmethod
    def routed_mds(commune: str) -> Mds | None:
        """The MDS the admin routed this commune to (accents and case aside), if any."""
        if not commune:
            return None
        routing = (
            CommuneRouting.objects.filter(commune__unaccent__iexact=commune)
            .select_related("mds")
            .order_by("pk")
            .first()
        )
        return routing.mds if routing else None
