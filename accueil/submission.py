"""A request from the public: the checks that keep robots out without a third-party CAPTCHA, and its one write.

Store first, notify after: `request_submit` writes the request (and its person) and queues its notifications in
one transaction; sending happens after the commit, so a down broker or SMS provider never loses or refuses a
request (accueil.notifications).

The checks, cheapest first: the body's size (before it is read), a honeypot field, a minimum time to fill the form
(a timestamp signed when the form was shown), then rate limits per client address and per phone number or email.
The rate limits **fail open**: a person asking their MDS for help must not be turned away because Redis is down;
the other checks need no Redis and still hold, and what gets through lands in an inbox agents read and close.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accueil import notifications, pow
from accueil.forms import started_at
from accueil.models import ContactRequest, Person, RequestSource
from accueil.people import person_matching
from core.ratelimit import submission_rate_limited
from sites.models import Mds, Site


@dataclass(frozen=True)
class Refusal:
    """Why a submission is not taken, said to the person in their language; `status` is the HTTP answer."""

    code: str
    message: str
    status: int


REFUSALS = {
    "too_large": Refusal("too_large", _("Your message is too long to be sent. Shorten it and send it again."), 413),
    "honeypot": Refusal(
        "honeypot",
        _("The form could not be sent: a hidden field was filled in, as robots do. Check the form and send it again."),
        400,
    ),
    "too_fast": Refusal(
        "too_fast", _("The form was sent very quickly. Check what you typed, then send it again."), 400
    ),
    "stale": Refusal("stale", _("This form was open for too long. Check what you typed, then send it again."), 400),
    "rate_limited": Refusal(
        "rate_limited",
        _(
            "Too many requests were sent from here or with these contact details. Try again in an hour, or call "
            "your MDS."
        ),
        429,
    ),
}


def body_too_large(request: HttpRequest) -> bool:
    """Decided on the announced length, before Django reads a byte of the body (and Django refuses to read more
    than DATA_UPLOAD_MAX_MEMORY_SIZE when the length lies)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.ACCUEIL_FORM_MAX_BYTES


def form_refusal(
    *, honeypot: str, started: str, now: float, pow_token: str = "", pow_number: str = ""
) -> Refusal | None:
    """The checks of the form itself: honeypot, the signed start time, then the proof of work when it is on.

    Without an answer to the proof of work (JavaScript off), the form is taken if it was open longer: a person
    without JavaScript is never turned away, a robot skipping the work pays in time instead."""
    if honeypot:
        return REFUSALS["honeypot"]
    shown = started_at(started, now=now)
    if shown is None:
        return REFUSALS["stale"]
    minimum = settings.ACCUEIL_FORM_MIN_SECONDS
    if settings.ACCUEIL_PROOF_OF_WORK:
        if pow_number:
            if not pow.verify(pow_token, pow_number):
                return REFUSALS["stale"]
        else:
            minimum = max(minimum, settings.ACCUEIL_POW_MIN_SECONDS_WITHOUT)
    if now - shown < minimum:
        return REFUSALS["too_fast"]
    return None


def rate_limited(*, address: str | None, phone: str, email: str) -> bool:
    """Count this submission against its client address and its contact details (core.ratelimit)."""
    return submission_rate_limited("contact", settings.ACCUEIL_SUBMISSIONS_PER_HOUR, address=address, phone=phone,
                                   email=email)  # fmt: skip


@transaction.atomic
def request_submit(
    *,
    mds: Mds,
    kind: str,
    topic: str,
    last_name: str,
    notice_acknowledged_at: datetime,
    first_name: str = "",
    phone: str = "",
    email: str = "",
    message: str = "",
    commune: str = "",
    callback_channels: list[str] | None = None,
    callback_windows: list[str] | None = None,
    interpreter_language: str = "",
    accessibility_needs: str = "",
    language: str = "fr",
    site: Site | None = None,
) -> ContactRequest:
    """Store a request from the public and queue what it sets off, in one transaction.

    A request that came through a site's portal link (`site`) is marked as from the portal. It is linked to the
    person of that MDS it is about (same last name and same phone or email), or to a new record.
    """
    if not phone and not email:  # the table's constraint too; said here before anything is written
        raise ValidationError(
            {"phone": _("Give a phone number or an email address so that the MDS can answer.")},
            code="contactrequest_has_a_way_to_answer",
        )
    person = person_matching(mds_id=mds.pk, last_name=last_name, phone=phone, email=email)
    if person is None:
        person = Person.objects.create(mds=mds, first_name=first_name, last_name=last_name, phone=phone, email=email)
    contact_request = ContactRequest(
        mds=mds, site=site, person=person, source=RequestSource.PORTAL if site else RequestSource.FORM,
        kind=kind, topic=topic, message=message, first_name=first_name, last_name=last_name, phone=phone,
        email=email, commune=commune, callback_channels=list(callback_channels or []),
        callback_windows=list(callback_windows or []), interpreter_language=interpreter_language,
        accessibility_needs=accessibility_needs, language=language, notice_acknowledged_at=notice_acknowledged_at,
    )  # fmt: skip
    # The fields' own rules (lengths, choices) here; the MDS, site and person are in hand, and the table's check
    # constraints are the database's on insert (the form already asked for a phone or an email): 11 statements
    # fewer per submission than a full check (benchmarks/README.md, "Contact form benchmark").
    contact_request.full_clean(exclude=["reference", "mds", "site", "person"], validate_constraints=False)
    contact_request.save(force_insert=True)
    notifications.request_submitted(contact_request)
    return contact_request
