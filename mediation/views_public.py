"""The workshops' public pages (/ateliers/): the next sessions of every MDS or of one, a session's page with its
registration form, the result, the signed links of the messages (cancel, accept a seat offered) and each MDS's
iCal feed. No account: the person gives a first name and a phone or an email, and consents.

The pages speak the visitor's language as self-booking does (core.public_language): `lang` travels in every link,
form and redirect, and the registration records it (its messages are written in it). The forms are
CSRF-protected as self-booking's are (a registration sends an SMS: a foreign page must not make visitors'
browsers register strangers); the links of the messages never act on GET, which link previewers follow.

Registrations are counted per client address and per phone or email (core.ratelimit), failing open: with Redis
down a person is still registered — the registration is written in PostgreSQL, the limiter only counts.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.fields import PhoneNumberFormField
from core.forms import DescribedForm
from core.ical import Event, calendar
from core.net import client_ip
from core.public_language import in_public_language, language_links
from core.ratelimit import submission_rate_limited
from mediation import registrations, selectors
from mediation.models import Registration, RegistrationStatus, WorkshopSession
from sites.models import Mds

# The workshop's level is shown by its model's choices: named here so that they are extracted into the public
# catalogues too (a msgid is looked up in every app's catalogue, whichever file marked it).
LEVELS = (gettext_noop("All levels"), gettext_noop("Beginner"), gettext_noop("Intermediate"), gettext_noop("Advanced"))
HONEYPOT = "website"  # hidden from people (and from assistive technologies); robots fill every field


class RegistrationForm(DescribedForm):
    first_name = forms.CharField(
        label=gettext_lazy("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    phone = PhoneNumberFormField(
        mobile=True, label=gettext_lazy("Mobile phone"), required=False,
        help_text=gettext_lazy("E.g. 06 12 34 56 78: your confirmation and a reminder come to it by SMS."),
    )  # fmt: skip
    email = forms.EmailField(
        label=gettext_lazy("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("If you have no mobile phone."),
    )  # fmt: skip
    consent = forms.BooleanField(
        label=gettext_lazy("I agree that the MDS keeps these details to hold my seat."),
        error_messages={"required": gettext_lazy("Tick the box to register: without it we cannot hold your seat.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The purpose and the period, from the rule that enforces them (mediation.retention), in the reader's words.
        days = settings.MEDIATION_RETENTION_DAYS["registrations"]
        self.fields["consent"].help_text = _(
            "They are used only to confirm your registration, tell you if a seat frees up, remind you the day before "
            "and let you cancel. They are deleted %(days)s days after the workshop."
        ) % {"days": days}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(_("Give a mobile phone number or an email address."))
        return data


def _render(request: HttpRequest, template: str, context: dict, *, language: str, status: int = 200) -> HttpResponse:
    form = context.get("form")
    if isinstance(form, DescribedForm):
        form.describe()
    context |= {"language": language, "languages": language_links(request, language)}
    return render(request, f"mediation/public/{template}", context, status=status)


def _with_seats_left(sessions: list[WorkshopSession]) -> list[WorkshopSession]:
    for session in sessions:
        # seats_taken: annotated by the selector; seats_left: what the templates read.
        session.seats_left = max(0, session.capacity - session.seats_taken)  # type: ignore[attr-defined]
    return sessions


def _listing(request: HttpRequest, *, language: str, mds: Mds | None) -> HttpResponse:
    theme, commune = request.GET.get("theme", "")[:60], request.GET.get("commune", "")[:120]
    sessions = selectors.public_sessions(mds_slug=mds.slug if mds else "", theme=theme, commune=commune)
    context = {
        "mds": mds, "sessions": _with_seats_left(sessions), "theme": theme, "commune": commune,
        "themes": selectors.public_themes(), "communes": [] if mds else selectors.public_communes(),
    }  # fmt: skip
    return _render(request, "list.html", context, language=language)


@require_GET
@in_public_language
def session_list(request: HttpRequest, *, language: str) -> HttpResponse:
    mds = Mds.objects.filter(slug=request.GET.get("mds", "")[:50]).first() if request.GET.get("mds") else None
    return _listing(request, language=language, mds=mds)


@require_GET
@in_public_language
def site_list(request: HttpRequest, mds_slug: str, *, language: str) -> HttpResponse:
    return _listing(request, language=language, mds=get_object_or_404(Mds, slug=mds_slug))


def _registered_url(registration: Registration, language: str) -> str:
    url = reverse("mediation_public:registered", args=[registrations.cancel_token(registration)])
    return f"{url}?{urlencode({'lang': language})}"


@never_cache
@require_http_methods(["GET", "POST"])
@in_public_language
def session_detail(request: HttpRequest, pk: int, *, language: str) -> HttpResponse:
    session = selectors.sessions_with_seats().filter(pk=pk).first()
    if session is None:
        closed = get_object_or_404(WorkshopSession.objects.select_related("workshop__mds", "site"), pk=pk)
        return _render(request, "closed.html", {"session": closed}, language=language, status=410)
    _with_seats_left([session])
    form = RegistrationForm(request.POST or None)
    context = {"session": session, "form": form, "honeypot": HONEYPOT}
    if request.method != "POST" or not form.is_valid():
        return _render(request, "session.html", context, language=language)
    if request.POST.get(HONEYPOT):
        form.add_error(None, _("The form could not be sent: a hidden field was filled in, as robots do. Check the "
                               "form and send it again."))  # fmt: skip
        return _render(request, "session.html", context, language=language, status=400)
    data = form.cleaned_data
    phone = str(data["phone"] or "")
    if submission_rate_limited("workshop", settings.MEDIATION_REGISTRATIONS_PER_HOUR, address=client_ip(request),
                               phone=phone, email=data["email"]):  # fmt: skip
        form.add_error(None, _("Too many registrations were sent from here or with these contact details. Try "
                               "again in an hour, or call your MDS."))  # fmt: skip
        return _render(request, "session.html", context, language=language, status=429)
    try:
        registration = registrations.registration_create(
            session=session, first_name=data["first_name"], phone=phone, email=data["email"], language=language
        )
    except registrations.SessionClosed:
        return _render(request, "closed.html", {"session": session}, language=language, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _render(request, "session.html", context, language=language)
    return HttpResponseRedirect(_registered_url(registration, language))


def _refused(request: HttpRequest, *, language: str, title: str, message: str, status: int) -> HttpResponse:
    return _render(request, "refused.html", {"title": title, "message": message}, language=language, status=status)


def _invalid_link(request: HttpRequest, *, language: str, title: str) -> HttpResponse:
    message = _("This link is not valid or has expired. Call your MDS, or register again.")
    return _refused(request, language=language, title=title, message=message, status=404)


@never_cache
@require_GET
@in_public_language
def registered(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    registration = registrations.registration_from_cancel_token(token)
    if registration is None:
        raise Http404
    context = {"registration": registration, "session": registration.session, "token": token,
               "statuses": RegistrationStatus}  # fmt: skip
    if registration.status == RegistrationStatus.OFFERED:  # a seat freed up since: the way to take it
        context["offer_token"] = registrations.offer_token(registration)
    return _render(request, "registered.html", context, language=language)


@never_cache
@require_http_methods(["GET", "POST"])
@in_public_language
def cancel(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    """GET asks, POST cancels: a link previewer opening the message's link must not free the seat."""
    registration = registrations.registration_from_cancel_token(token)
    if registration is None:
        return _invalid_link(request, language=language, title=_("Cancel my registration"))
    if request.method == "POST" and registration.is_live:
        registration = registrations.registration_cancel(registration=registration)
    context = {"registration": registration, "session": registration.session}
    return _render(request, "cancel.html", context, language=language)


@never_cache
@require_http_methods(["GET", "POST"])
@in_public_language
def accept(request: HttpRequest, token: str, *, language: str) -> HttpResponse:
    """A seat freed up and was offered to this person: GET shows it, POST takes it (offer_accept refuses it once
    the offer expired, even before beat noticed)."""
    registration = registrations.registration_from_offer_token(token)
    if registration is None:
        return _invalid_link(request, language=language, title=_("Take the seat offered"))
    if request.method == "POST":
        try:
            registration = registrations.offer_accept(registration=registration)
        except registrations.OfferExpired:
            message = _("This seat is no longer held for you: the offer has expired. Call your MDS, or register "
                        "again on the waiting list.")  # fmt: skip
            return _refused(request, language=language, title=_("Take the seat offered"), message=message, status=410)
        return HttpResponseRedirect(_registered_url(registration, language))
    context = {"registration": registration, "session": registration.session, "statuses": RegistrationStatus}
    return _render(request, "accept.html", context, language=language)


def _place(session: WorkshopSession) -> str:
    site = session.site
    return ", ".join(
        part for part in (site.name or session.workshop.mds.public_name, site.street, site.commune) if part
    )


@require_GET
def ical(request: HttpRequest, mds_slug: str) -> HttpResponse:
    """The MDS's next sessions for a calendar app: public information only, no registration."""
    mds = get_object_or_404(Mds, slug=mds_slug)
    sessions = selectors.sessions_with_seats().filter(workshop__mds=mds)[: selectors.PUBLIC_SESSIONS_SHOWN]
    host = request.get_host()
    events = (
        Event(
            uid=f"workshop-session-{session.pk}@{host}",
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            summary=session.workshop.title,
            location=_place(session),
            description=session.workshop.description,
            url=request.build_absolute_uri(reverse("mediation_public:session", args=[session.pk])),
        )
        for session in sessions
    )
    body = calendar(events, name=f"Ateliers numériques — {mds.public_name}", product="Ateliers")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="ateliers-{mds.slug}.ics"'
    return response
