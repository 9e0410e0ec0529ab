"""The reception's personal data over time: anonymisation once expired, and one person's rights (GDPR art. 15, 17).

- `anonymise_expired()`: the daily job (accueil.tasks_privacy) — every rule of accueil.retention, then the message
  log, then the people left with nothing live; bounded batches, each its own transaction, safe to run twice.
- `person_data()`: everything held about a person found by phone or email, in every MDS (right of access).
- `person_erase()`: the same rows anonymised at once (right to erasure), audit entries included.

Anonymising writes with `QuerySet.update()` on purpose: django-auditlog would otherwise keep every blanked value
as the "before" of an audit entry for another year; the values already in the audit entries about those rows are
replaced too (who did what and when stays). The daily run logs its counts; an erasure writes an audit entry.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from accueil.models import ContactRequest, Notification, Person, RequestEvent
from accueil.people import person_links
from accueil.retention import AnonymisationRule, anonymisation_rules, request_rule, rule_for
from core.models import SentMessage
from core.outbox import LOG_SAYS_WHO, message_log_blank, outbox_blank
from core.phone import InvalidPhoneNumber, phone_mask, phone_normalise
from sites.audit import record_access, record_event
from sites.models import Agent

PERSON_BLANK = {"first_name": "", "last_name": "", "phone": "", "email": "", "relationship": ""}
REDACTED = "[anonymisé]"
ACCUEIL_TEMPLATES = "accueil/"  # the reception's message templates, as core.SentMessage.template names them
logger = logging.getLogger(__name__)


# --- What links to a person ------------------------------------------------------------------------------


def _live_links(person_ref: Any) -> Q:
    """People with a row still live (not anonymised) in a model that links to them."""
    condition = Q()
    for rel in person_links():
        model = rel.related_model
        if not any(f.name == "anonymised_at" for f in model._meta.get_fields()):
            continue
        live = model._default_manager.filter(**{rel.field.name: person_ref, "anonymised_at__isnull": True})
        condition |= Q(Exists(live))
    return condition


# --- Anonymisation ---------------------------------------------------------------------------------------


def _anonymise_rows(rule: AnonymisationRule, ids: list[int], *, now: datetime) -> int:
    model = rule.model_class
    count = model._default_manager.filter(pk__in=ids, anonymised_at__isnull=True).update(
        **rule.blank, anonymised_at=now
    )
    _redact_audit_trail(model, ids)
    if model is ContactRequest:
        # The timeline's free text (notes, messages sent) speaks of the person; its kinds and dates stay.
        events = RequestEvent.objects.filter(request_id__in=ids)
        _redact_audit_trail(RequestEvent, list(events.values_list("pk", flat=True)))
        events.exclude(text="").update(text="")
        _blank_notifications(Notification.objects.filter(request_id__in=ids))
    return count


def _blank_notifications(notifications: QuerySet[Notification]) -> int:
    """Blank an outbox's context and errors (an SMTP refusal quotes the address) and its provider log rows' masked
    recipient (core.outbox.outbox_blank)."""
    return outbox_blank(notifications)


def anonymise_people(ids: list[int], *, now: datetime) -> int:
    _redact_audit_trail(Person, ids)  # the name in the entries of its pages' readings, the values of its changes
    return Person.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(**PERSON_BLANK, anonymised_at=now)


@dataclass
class AnonymisationReport:
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows anonymised
    messages: int = 0  # outbox rows blanked (message log)
    people: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values()) + self.messages + self.people


def _batches(queryset: QuerySet[Any], batch_size: int) -> Iterator[list[int]]:
    """Ids of `queryset` `batch_size` at a time, each batch locked in its own transaction; stops when none is left.
    The queryset must exclude what a batch has done (it filters on anonymised_at or blank fields)."""
    while True:
        with transaction.atomic():
            # skip_locked: a row an agent is editing right now waits for the next batch or the next day.
            locked = queryset.order_by("pk").select_for_update(skip_locked=True, of=("self",))
            ids = list(locked.values_list("pk", flat=True)[:batch_size])
            if not ids:
                return
            yield ids


def anonymise_expired(*, now: datetime | None = None, batch_size: int | None = None) -> AnonymisationReport:
    """Anonymise every row past its limit: the rules of accueil.retention, the message log, the people left with
    nothing live. Idempotent: what is done no longer matches."""
    now = now or timezone.now()
    batch_size = batch_size or settings.ACCUEIL_ANONYMISE_BATCH
    report = AnonymisationReport()
    for rule in anonymisation_rules():
        done = 0
        for ids in _batches(rule.expired(now), batch_size):
            done += _anonymise_rows(rule, ids, now=now)
        report.rows[rule.model] = done
    report.messages = anonymise_message_log(now=now, batch_size=batch_size)
    people_limit = now - timedelta(days=settings.ACCUEIL_RETENTION_DAYS["requests"])
    # Nothing live left and untouched for the requests' duration: a record just created for a walk-in stays.
    idle = Person.objects.filter(anonymised_at__isnull=True, updated_at__lt=people_limit).exclude(
        _live_links(OuterRef("pk"))
    )
    # A parent stays while a child they act for is still live.
    idle = idle.exclude(Exists(Person.objects.filter(responsible=OuterRef("pk"), anonymised_at__isnull=True)))
    for ids in _batches(idle, batch_size):
        report.people += anonymise_people(ids, now=now)
    if report.total:
        # Nobody acts: the log says what the run did (its rows' own audit entries would keep the blanked values).
        logger.info("accueil anonymisation: %s, messages %d, people %d", report.rows, report.messages, report.people)
    return report


def anonymise_message_log(*, now: datetime, batch_size: int) -> int:
    """The outbox's context and the provider log rows of the reception's messages, 6 months after they were
    written: what went and its fate stay (the inbox's history, the provider's invoice), not who it went to."""
    limit = now - timedelta(days=settings.ACCUEIL_RETENTION_DAYS["messages"])
    old = Notification.objects.filter(created_at__lt=limit).filter(
        ~Q(context={}) | ~Q(last_error="") | Q(sent_message__isnull=False, sent_message__recipient__gt="")
    )
    total = 0
    for ids in _batches(old, batch_size):
        _blank_notifications(Notification.objects.filter(pk__in=ids))
        total += len(ids)
    # Provider log rows of the reception's templates that no outbox row points to (a send whose outbox row was
    # deleted, or logged before the link was written): the same 6 months.
    orphans = SentMessage.objects.filter(LOG_SAYS_WHO, created_at__lt=limit, template__startswith=ACCUEIL_TEMPLATES)
    for ids in _batches(orphans, batch_size):
        message_log_blank(SentMessage.objects.filter(pk__in=ids))
    return total


# --- One person's data: access and erasure ---------------------------------------------------------------


def _email_normalise(email: str) -> str:
    return (email or "").strip().lower()


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def lookup_mask(*, phone: str = "", email: str = "") -> str:
    """What an audit entry says was searched: enough to tell two searches apart, too little to contact anyone."""
    parts = []
    if phone:
        try:
            parts.append(phone_mask(phone))
        except InvalidPhoneNumber:
            parts.append("•••")
    if email:
        parts.append(_mask_email(email))
    return ", ".join(parts)


@dataclass
class Found:
    people: list[Person]
    requests: list[ContactRequest]
    phone: str
    email: str

    @property
    def request_ids(self) -> list[int]:
        return [r.pk for r in self.requests]

    @property
    def person_ids(self) -> list[int]:
        return [p.pk for p in self.people]


def person_find_everywhere(*, phone: str = "", email: str = "") -> Found:
    """Every record and request, in every MDS, with this phone (any writing) or email (any case), their relatives
    acting for them excluded (they are people of their own), their merged duplicates included."""
    if phone:
        phone = phone_normalise(phone)  # InvalidPhoneNumber: the command says so
    email = _email_normalise(email)
    if not phone and not email:
        raise ValueError("a phone number or an email address is needed")
    match = Q()
    if phone:
        match |= Q(phone=phone)
    if email:
        match |= Q(email__iexact=email)
    ids = set(Person.objects.filter(match).values_list("pk", flat=True))
    # The same person under another record: merged into one found, or the record one found was merged into.
    while (
        more := set(
            Person.objects.filter(Q(merged_into__in=ids) | Q(merged_records__in=ids)).values_list("pk", flat=True)
        )
        - ids
    ):
        ids |= more
    people = list(Person.objects.filter(pk__in=ids).select_related("mds").order_by("pk"))
    requests = list(
        ContactRequest.objects.filter(match | Q(person__in=[p.pk for p in people])).select_related("mds").order_by("pk")
    )
    return Found(people=people, requests=requests, phone=phone, email=email)


def _row(obj: Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = f.value_from_object(obj)
        data[f.attname if f.is_relation else f.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def person_data(*, actor: Agent, phone: str = "", email: str = "") -> dict[str, Any]:
    """Everything the reception holds about a person (GDPR art. 15), as JSON-ready data, with an access entry in
    the audit trail on each record read and one saying who searched what."""
    found = person_find_everywhere(phone=phone, email=email)
    linked: dict[str, list[dict[str, Any]]] = {}
    for rel in person_links():
        if rel.related_model is ContactRequest:
            continue
        rows = rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": found.person_ids})
        linked[rel.related_model._meta.label] = [_row(row) for row in rows.order_by("pk")]
    events = RequestEvent.objects.filter(request__in=found.request_ids).order_by("request_id", "created_at", "pk")
    notifications = Notification.objects.filter(request__in=found.request_ids).select_related("sent_message")
    data = {
        "searched": {"phone": found.phone, "email": found.email},
        "generated_at": timezone.now().isoformat(),
        "people": [_row(p) | {"mds": p.mds.name} for p in found.people],
        "requests": [_row(r) | {"mds": r.mds.name} for r in found.requests],
        "events": [_row(e) for e in events],
        "notifications": [
            _row(n)
            | {"sent": None if n.sent_message is None else _row(n.sent_message, exclude=("provider_message_id",))}
            for n in notifications.order_by("pk")
        ],
        **linked,
    }
    reason = f"right of access (export): {lookup_mask(phone=found.phone, email=found.email)}"
    with transaction.atomic():
        for obj in [*found.people, *found.requests]:
            record_access(actor=actor, instance=obj, reason=reason)
        record_event(
            actor=actor, instance=actor, subject="personal_data_export",
            event=f"{len(found.people)} people, {len(found.requests)} requests",
            reason=reason,
        )  # fmt: skip
    return data


@dataclass
class ErasureReport:
    people: int
    requests: int
    linked: dict[str, int]
    events: int
    audit_entries: int
    masked: str


_PERSONAL = re.compile(r"first_name|last_name|phone|email|message|commune|interpreter|accessibility|text|relationship")


def _audit_entries(model: type[Model], ids: list[int]) -> QuerySet[LogEntry]:
    entries: QuerySet[LogEntry] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(i) for i in ids]
    )
    return entries


def _redact_audit_trail(model: type[Model], ids: list[int]) -> int:
    """The audit entries about these rows keep who did what and when, not the values: each personal field's
    before and after are replaced, and a person's name in `object_repr` too."""
    if not ids:
        return 0
    entries = _audit_entries(model, ids)
    count = 0
    for entry in entries.only("pk", "changes", "object_repr"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        redacted = {key: ([REDACTED, REDACTED] if _PERSONAL.search(key) else value) for key, value in changes.items()}
        repr_ = REDACTED if model is Person else entry.object_repr
        if redacted != changes or repr_ != entry.object_repr:
            LogEntry.objects.filter(pk=entry.pk).update(changes=redacted, object_repr=repr_)
            count += 1
    return count


@transaction.atomic
def person_erase(*, actor: Agent, phone: str = "", email: str = "", now: datetime | None = None) -> ErasureReport:
    """Anonymise at once everything held about a person (GDPR art. 17): records, requests and their timelines and
    messages, rows of other models linked to the records, and the values in their audit entries. Kept: the
    statistics' fields and the fact that an erasure was made, by whom."""
    now = now or timezone.now()
    found = person_find_everywhere(phone=phone, email=email)
    # Rows locked in id order, as every writer of these records does, so that two erasures never deadlock.
    list(Person.objects.select_for_update().filter(pk__in=found.person_ids).order_by("pk"))
    list(ContactRequest.objects.select_for_update().filter(pk__in=found.request_ids).order_by("pk"))
    events = RequestEvent.objects.filter(request__in=found.request_ids).exclude(text="").count()
    event_ids = list(RequestEvent.objects.filter(request__in=found.request_ids).values_list("pk", flat=True))
    audit = sum(
        _audit_entries(model, ids).count()
        for model, ids in ((Person, found.person_ids), (ContactRequest, found.request_ids), (RequestEvent, event_ids))
    )
    requests = _anonymise_rows(request_rule(), found.request_ids, now=now)
    # Notifications of requests already anonymised keep nothing either.
    _blank_notifications(Notification.objects.filter(request__in=found.request_ids))
    linked: dict[str, int] = {}
    for rel in person_links():
        model = rel.related_model
        rule = rule_for(model)
        if model is ContactRequest or rule is None:
            continue
        ids = list(
            model._default_manager.filter(**{f"{rel.field.name}__in": found.person_ids}).values_list("pk", flat=True)
        )
        linked[model._meta.label] = _anonymise_rows(rule, ids, now=now)
    people = anonymise_people(found.person_ids, now=now)
    masked = lookup_mask(phone=found.phone, email=found.email)
    report = ErasureReport(people, requests, linked, events, audit, masked)
    record_event(
        actor=actor, instance=actor, subject="personal_data_erasure",
        event=f"{people} people, {requests} requests, {events} notes, {linked}",
        reason=f"right to erasure: {masked}",
    )  # fmt: skip
    return report
