"""Anonymisation of expired personal data: after the limit and not before, statistics kept, idempotent, scheduled."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from accueil.models import Appointment, Attendance, ContactRequest, Notification, Person, RequestEvent, RequestStatus
from accueil.privacy import anonymise_expired
from accueil.retention import anonymisation_rules, anonymise_after
from accueil.tasks_privacy import anonymise_expired_personal_data
from core.models import SentMessage
from mds_connectees.celery import beat_schedule
from sites import retention
from tests.accueil.factories import (
    AppointmentFactory,
    ContactRequestFactory,
    NotificationFactory,
    PersonFactory,
    RequestEventFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def _closed(days_ago: float, **fields) -> ContactRequest:
    request = ContactRequestFactory(
        status=RequestStatus.CLOSED, commune="Arles", interpreter_language="arabe",
        accessibility_needs="fauteuil", callback_windows=["morning"], **fields,
    )  # fmt: skip
    ContactRequest.objects.filter(pk=request.pk).update(closed_at=NOW - days_ago * DAY)
    request.refresh_from_db()
    return request


def _age_person(person: Person, days: int) -> None:
    Person.objects.filter(pk=person.pk).update(updated_at=NOW - days * DAY)


def test_a_request_closed_a_year_ago_is_anonymised_and_keeps_its_statistics():
    """Name, phone, email, message, commune and needs go; kind, topic, MDS and dates stay."""
    request = _closed(366)
    event = RequestEventFactory(request=request, text="Rappelée, Mme Benali au 06 12 34 56 78.")
    report = anonymise_expired(now=NOW)
    request.refresh_from_db()
    assert report.rows["accueil.ContactRequest"] == 1
    assert (request.first_name, request.last_name, request.phone, request.email, request.message) == ("",) * 5
    assert (request.commune, request.interpreter_language, request.accessibility_needs) == ("", "", "")
    assert request.callback_windows == []
    assert request.anonymised_at == NOW
    assert (request.kind, request.topic, request.status) == ("appointment", "housing", "closed")
    assert request.submitted_at and request.closed_at and request.mds_id
    assert RequestEvent.objects.get(pk=event.pk).text == ""


def test_a_request_closed_less_than_a_year_ago_and_an_open_one_are_kept():
    recent = _closed(364)
    open_request = ContactRequestFactory()
    ContactRequest.objects.filter(pk=open_request.pk).update(submitted_at=NOW - 900 * DAY)
    anonymise_expired(now=NOW)
    recent.refresh_from_db(), open_request.refresh_from_db()
    assert recent.anonymised_at is None and recent.last_name
    assert open_request.anonymised_at is None and open_request.last_name


def test_the_limit_is_a_setting():
    request = _closed(40)
    with override_settings(ACCUEIL_RETENTION_DAYS={"requests": 30, "appointments": 730, "messages": 183}):
        anonymise_expired(now=NOW)
    request.refresh_from_db()
    assert request.anonymised_at is not None


def test_running_twice_changes_nothing_more():
    """Idempotent: the second run finds nothing, and the first anonymisation date stays."""
    request = _closed(400)
    assert anonymise_expired(now=NOW).rows["accueil.ContactRequest"] == 1
    later = NOW + DAY
    assert anonymise_expired(now=later).total == 0
    request.refresh_from_db()
    assert request.anonymised_at == NOW


def test_the_work_goes_in_bounded_batches():
    requests = [_closed(400) for _ in range(5)]
    assert anonymise_expired(now=NOW, batch_size=2).rows["accueil.ContactRequest"] == 5
    assert not ContactRequest.objects.filter(pk__in=[r.pk for r in requests], anonymised_at__isnull=True).exists()


def test_a_person_with_nothing_left_but_anonymised_requests_is_anonymised():
    person = PersonFactory()
    _closed(400, mds=person.mds, person=person)
    _age_person(person, 400)
    report = anonymise_expired(now=NOW)
    person.refresh_from_db()
    assert report.people == 1
    assert (person.first_name, person.last_name, person.phone, person.email) == ("", "", "", "")
    assert person.anonymised_at == NOW


def test_a_person_with_a_live_request_is_kept():
    person = PersonFactory()
    _closed(400, mds=person.mds, person=person)
    ContactRequestFactory(mds=person.mds, person=person)  # still open
    _age_person(person, 400)
    anonymise_expired(now=NOW)
    person.refresh_from_db()
    assert person.anonymised_at is None and person.last_name


def _appointment_ended(days_ago: int, person: Person, **fields) -> Appointment:
    appointment = AppointmentFactory(mds=person.mds, person=person, **fields)
    ends = NOW - days_ago * DAY
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=ends - datetime.timedelta(minutes=30), ends_at=ends)
    return appointment


def test_an_appointment_is_anonymised_two_years_after_it_ended_and_keeps_its_statistics():
    person = PersonFactory()
    old = _appointment_ended(731, person, attendance=Attendance.NO_SHOW)
    motif = old.motif_id
    recent = _appointment_ended(729, person)
    report = anonymise_expired(now=NOW)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert report.rows["accueil.Appointment"] == 1
    assert old.anonymised_at == NOW and recent.anonymised_at is None
    assert (old.attendance, old.motif_id, old.mds_id) == (Attendance.NO_SHOW, motif, person.mds_id)


def test_a_person_seen_in_an_appointment_is_kept_until_the_appointment_is_two_years_old():
    """A record untouched for more than a year, with only an appointment: kept while the appointment is."""
    person = PersonFactory()
    _appointment_ended(400, person)
    _age_person(person, 400)
    anonymise_expired(now=NOW)
    person.refresh_from_db()
    assert person.anonymised_at is None and person.last_name
    anonymise_expired(now=NOW + 331 * DAY)
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.last_name == ""


def test_a_record_touched_recently_is_kept_even_without_requests():
    """A record just created for a walk-in has no request yet: it is not anonymised."""
    person = PersonFactory()
    anonymise_expired(now=NOW)
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_a_parent_is_kept_while_a_child_they_act_for_is_live():
    parent = PersonFactory()
    child = PersonFactory(mds=parent.mds, responsible=parent)
    ContactRequestFactory(mds=parent.mds, person=child)
    _age_person(parent, 400)
    anonymise_expired(now=NOW)
    parent.refresh_from_db()
    assert parent.anonymised_at is None


def test_the_message_log_is_blanked_after_six_months_and_not_before():
    """The outbox's context and errors, and the provider log's masked recipient: what went and its fate stay."""

    def message(days_ago: int) -> Notification:
        sent = SentMessage.objects.create(channel="sms", template="accueil/ack", recipient="+33 6 •• •• •• 78",
                                          result="sent", provider="locmem", segments=1)  # fmt: skip
        notification = NotificationFactory(context={"name": "Nadia"}, last_error="refusé: nadia@example.org",
                                           sent_message=sent)  # fmt: skip
        Notification.objects.filter(pk=notification.pk).update(created_at=NOW - days_ago * DAY)
        return notification

    old, recent = message(184), message(150)
    report = anonymise_expired(now=NOW)
    old.refresh_from_db(), recent.refresh_from_db()
    assert report.messages == 1
    assert (old.context, old.last_error, old.sent_message.recipient) == ({}, "", "")
    assert (old.template, old.status, old.sent_message.segments) == ("accueil/messages/acknowledgement", "pending", 1)
    assert recent.context == {"name": "Nadia"} and recent.sent_message.recipient
    assert anonymise_expired(now=NOW).messages == 0


def test_anonymising_leaves_no_value_in_the_audit_trail():
    """Written with update(): the audit trail would otherwise keep every blanked value as a 'before'."""
    from auditlog.models import LogEntry

    request = _closed(400, last_name="Introuvable")
    before = LogEntry.objects.count()
    anonymise_expired(now=NOW)
    assert LogEntry.objects.count() == before
    request.refresh_from_db()
    assert request.anonymised_at


def test_another_part_registers_its_model_and_it_is_anonymised_after_its_setting():
    """The appointments part's hook: a rule on another date field and setting (here on requests themselves)."""
    rules = list(anonymisation_rules())
    request = ContactRequestFactory(status=RequestStatus.NEW)
    ContactRequest.objects.filter(pk=request.pk).update(submitted_at=NOW - 800 * DAY)
    try:
        anonymise_after(
            "accueil.ContactRequest", date_field="submitted_at", setting="appointments",
            blank={"last_name": ""}, purpose="test", legal_basis="test",
        )  # fmt: skip
        anonymise_expired(now=NOW)
    finally:
        for rule in rules:
            anonymise_after(
                rule.model, date_field=rule.date_field, setting=rule.setting, blank=rule.blank,
                purpose=rule.purpose, legal_basis=rule.legal_basis, condition=rule.condition,
            )  # fmt: skip
    request.refresh_from_db()
    assert request.anonymised_at and request.last_name == ""
    with pytest.raises(ValueError):
        anonymise_after("accueil.X", date_field="d", setting="unknown", blank={}, purpose="", legal_basis="")


def test_the_daily_task_is_scheduled_and_runs():
    entry = beat_schedule()["accueil-anonymise-expired"]
    assert entry["task"] == anonymise_expired_personal_data.name
    request = ContactRequestFactory(status=RequestStatus.CLOSED)
    ContactRequest.objects.filter(pk=request.pk).update(closed_at=timezone.now() - 400 * DAY)
    assert anonymise_expired_personal_data()["accueil.ContactRequest"] == 1


def test_old_outbox_rows_are_deleted_by_the_platform_purge():
    rule = next(r for r in retention.rules() if r.model == "accueil.Notification")
    assert rule.purpose and rule.legal_basis and rule.keep.days > 365


def test_an_anonymised_record_leaves_its_name_in_no_audit_entry():
    """The entries of its pages' readings named it (object_repr): they keep who read it and when, not the name."""
    from auditlog.models import LogEntry

    from sites.audit import record_access
    from sites.roles import Role
    from tests.factories import agent_with_role

    person = PersonFactory(first_name="Zoé", last_name="Introuvable")
    _closed(400, mds=person.mds, person=person)
    agent = agent_with_role(Role.RECEPTION, person.mds)
    record_access(actor=agent, instance=person)
    _age_person(person, 400)
    anonymise_expired(now=NOW)
    entries = LogEntry.objects.get_for_object(person)
    assert entries.filter(action=LogEntry.Action.ACCESS, actor=agent).exists()
    assert "INTROUVABLE" not in repr(list(entries.values_list("object_repr", "changes"))).upper()


def test_provider_log_rows_of_the_reception_without_an_outbox_row_are_blanked_too():
    """Other apps' rows are the platform's purge's business, not this one's."""
    mine = SentMessage.objects.create(channel="sms", template="accueil/messages/reminder",
                                      recipient="+33 6 •• •• •• 78", result="sent", provider="locmem")  # fmt: skip
    other = SentMessage.objects.create(channel="sms", template="wifi/outage", recipient="+33 6 •• •• •• 12",
                                       result="sent", provider="locmem")  # fmt: skip
    SentMessage.objects.update(created_at=NOW - 200 * DAY)
    anonymise_expired(now=NOW)
    mine.refresh_from_db(), other.refresh_from_db()
    assert mine.recipient == "" and other.recipient == "+33 6 •• •• •• 12"


def test_a_failed_message_is_blanked_too_and_still_says_it_failed():
    """A failed provider log row must keep an error (sentmessage_failure_has_error): blanking it to "" made the
    whole daily anonymisation fail; it now says "(anonymised)", and the next run finds nothing more to do."""
    failed = SentMessage.objects.create(channel="sms", template="accueil/ack", recipient="+33 6 •• •• •• 78",
                                        result="failed", provider="brevo", error="refused +33612345678")  # fmt: skip
    notification = NotificationFactory(last_error="refused +33612345678", sent_message=failed)
    orphan = SentMessage.objects.create(channel="email", template="accueil/messages/reply", recipient="n•••@x.fr",
                                        result="failed", provider="smtp", error="550 nadia@x.fr unknown")  # fmt: skip
    Notification.objects.filter(pk=notification.pk).update(created_at=NOW - 200 * DAY)
    SentMessage.objects.update(created_at=NOW - 200 * DAY)
    assert anonymise_expired(now=NOW).messages == 1
    failed.refresh_from_db(), orphan.refresh_from_db(), notification.refresh_from_db()
    assert [(log.recipient, log.result, log.error) for log in (failed, orphan)] == [("", "failed", "(anonymised)")] * 2
    assert notification.last_error == ""
    assert anonymise_expired(now=NOW).messages == 0
