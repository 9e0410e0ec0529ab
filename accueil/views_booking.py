"""Self-booking without an account (/rendez-vous/<mds-slug>/): the MDS's public motifs and their next free slots,
the person's name and a way to reach them, a one-time code that proves it, the booking, and a signed link to
cancel. Each step re-checks what the previous one passed along (the slot is still free, the code is the
person's); the database's constraint has the last word on a slot taken meanwhile.

The pages speak the visitor's language as the contact form does (core.public_language): `lang` travels in
every link, form and redirect from one step to the next, and the code and the confirmation are sent in it. The
cancel link of the messages carries none: there the browser's languages decide, French otherwise."""

import datetime as dt

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_http_methods

from accueil import appointments, otp
from accueil.forms import DescribedForm
from accueil.models import Appointment, BookableBy, BookedBy, Motif, Person
from accueil.people import person_matching
from accueil.slots import free_slots, slot_is_free
from core.fields import PhoneNumberFormField
from core.net import client_ip
from core.public_language import in_public_language, language_links
from sites.models import Agent, Mds, Site

CODE_SALT = "accueil.booking.code"
SLOTS_SHOWN = 12

# The mobile field's own messages (core.fields) show on the details page: named here so that they are extracted
# into the public catalogues too (a msgid is looked up in every app's catalogue, whichever file raised it).
PHONE_MESSAGES = (
    gettext_noop("A phone number is made of digits only (spaces and dots allowed), e.g. 04 13 31 20 00."),
    gettext_noop("This number cannot receive a text message: give a mobile number (06 or 07…)."),
    gettext_noop("This phone number does not exist in France: check the digits (example: 04 13 31 20 00)."),
    gettext_noop(
        "This phone number does not exist in the country of its code: check the digits "
        "(example for Belgium: +32 2 555 12 12)."
    ),
)


def _render(request: HttpRequest, template: str, context: dict, *, language: str, status: int = 200) -> HttpResponse:
    for form in context.values():
        if isinstance(form, DescribedForm):
            form.describe()
    context |= {"language": language, "languages": language_links(request, language)}
    return render(request, f"accueil/booking/{template}", context, status=status)


def _redirect(url: str, language: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{url}?{urlencode({'lang': language})}")


def _public_motifs(mds: Mds):
    return Motif.objects.filter(mds=mds, active=True, bookable_by=BookableBy.PUBLIC)


@in_public_language
def index(request: HttpRequest, mds_slug: str, *, language: str) -> HttpResponse:
    mds = get_object_or_404(Mds, slug=mds_slug)
    motifs = list(_public_motifs(mds))
    chosen = next((m for m in motifs if str(m.pk) == request.GET.get("motif")), None)
    slots = free_slots(motif=chosen, limit=SLOTS_SHOWN) if chosen else []
    return _render(
        request, "index.html", {"mds": mds, "motifs": motifs, "motif": chosen, "slots": slots}, language=language
    )


class DetailsForm(DescribedForm):
    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=gettext_lazy("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    phone = PhoneNumberFormField(
        mobile=True, label=gettext_lazy("Mobile phone"), required=False,
        help_text=gettext_lazy("E.g. 06 12 34 56 78: the code comes to it by SMS."),
    )  # fmt: skip
    email = forms.EmailField(
        label=gettext_lazy("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(_("Give a mobile phone number or an email address to receive the code."))
        return data


def _chosen_slot(request: HttpRequest, mds: Mds):
    params = request.POST if request.method == "POST" else request.GET
    motif = _public_motifs(mds).filter(pk=params.get("motif") or 0).first()
    starts_at = parse_datetime(params.get("start", ""))
    agent_id = params.get("agent", "")
    if motif is None or starts_at is None or starts_at.tzinfo is None or not agent_id.isdigit():
        raise Http404
    return motif, slot_is_free(motif=motif, agent_id=int(agent_id), starts_at=starts_at)


@require_http_methods(["GET", "POST"])
@in_public_language
def details(request: HttpRequest, mds_slug: str, *, language: str) -> HttpResponse:
    mds = get_object_or_404(Mds, slug=mds_slug)
    motif, slot = _chosen_slot(request, mds)
    if slot is None:
        return _render(request, "taken.html", {"mds": mds, "motif": motif}, language=language, status=409)
    form = DetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel, destination = ("sms", str(data["phone"])) if data["phone"] else ("email", data["email"])
        booking = {
            "motif": motif.pk,
            "agent": slot.agent_id,
            "site": slot.site_id,
            "start": slot.starts_at.isoformat(),
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": str(data["phone"] or ""),
            "email": data["email"],
        }
        try:
            row, _code = otp.one_time_code_send(mds_id=mds.pk, channel=channel, destination=destination,
                                                booking=booking, client_address=client_ip(request) or "",
                                                language=language)  # fmt: skip
        except otp.TooManyCodes:
            form.add_error(None, _("Too many codes asked for: wait a quarter of an hour and try again."))
        else:
            token = signing.dumps(row.pk, salt=CODE_SALT)
            return _redirect(reverse("booking:code", kwargs={"mds_slug": mds.slug, "token": token}), language)
    return _render(request, "details.html", {"mds": mds, "motif": motif, "slot": slot, "form": form}, language=language)


class CodeForm(DescribedForm):
    code = forms.CharField(
        label=gettext_lazy("Code received"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@in_public_language
def code(request: HttpRequest, mds_slug: str, token: str, *, language: str) -> HttpResponse:
    mds = get_object_or_404(Mds, slug=mds_slug)
    try:
        code_id = signing.loads(token, salt=CODE_SALT, max_age=otp.OTP_VALIDITY)
    except signing.BadSignature:
        raise Http404 from None
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Checked outside the booking's transaction: a wrong try stays counted whatever happens next.
            row = otp.one_time_code_check(code_id=code_id, code=form.cleaned_data["code"])
            with transaction.atomic():
                appointment = _book(mds, row.booking, language=language)
        except otp.CodeRefused as refused:
            form.add_error("code", str(refused))
        except ValidationError as error:
            return _render(request, "taken.html", {"mds": mds, "message": error.messages[0]}, language=language,
                           status=409)  # fmt: skip
        else:
            return _redirect(reverse("booking:confirmed", args=[appointments.cancel_token(appointment)]), language)
    return _render(request, "code.html", {"mds": mds, "form": form}, language=language)


def _book(mds: Mds, booking: dict, *, language: str) -> Appointment:
    motif = _public_motifs(mds).get(pk=booking["motif"])
    site = Site.objects.get(pk=booking["site"], mds=mds)
    agent = Agent.objects.get(pk=booking["agent"])
    starts_at = dt.datetime.fromisoformat(booking["start"])
    if slot_is_free(motif=motif, agent_id=agent.pk, starts_at=starts_at) is None:
        raise appointments.SlotTaken(_("This slot has just been booked: choose another one."))
    person = _person(mds, booking)
    return appointments.appointment_book(actor=None, motif=motif, agent=agent, site=site, starts_at=starts_at,
                                         person=person, booked_by=BookedBy.PUBLIC, language=language)  # fmt: skip


def _person(mds: Mds, booking: dict) -> Person:
    """The person's record at this MDS by the rule of every way in (`accueil.people.person_matching`), else a new
    one."""
    found = person_matching(mds_id=mds.pk, last_name=booking["last_name"], phone=booking["phone"],
                            email=booking["email"])  # fmt: skip
    if found is not None:
        return found
    return Person.objects.create(mds=mds, first_name=booking["first_name"], last_name=booking["last_name"],
                                 phone=booking["phone"], email=booking["email"])  # fmt: skip


@in_public_language
def confirmed(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    appointment = appointments.appointment_from_cancel_token(token)
    if appointment is None:
        raise Http404
    return _render(request, "confirmed.html", {"appointment": appointment, "token": token}, language=language)


@require_http_methods(["GET", "POST"])
@in_public_language
def cancel(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    appointment = appointments.appointment_from_cancel_token(token)
    if appointment is None:
        return _render(request, "cancel_refused.html",
                       {"message": _("This link is not valid or has expired. Call the MDS.")}, language=language,
                       status=404)  # fmt: skip
    if request.method == "POST" and not appointment.is_cancelled:
        try:
            appointments.appointment_cancel(appointment=appointment, actor=None, by_person=True)
        except appointments.CancelRefused as refused:
            return _render(request, "cancel_refused.html", {"message": str(refused)}, language=language, status=403)
        appointment.refresh_from_db()
    return _render(request, "cancel.html", {"appointment": appointment, "now": timezone.now()}, language=language)
