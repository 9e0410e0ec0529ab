"""Self-booking without an account: pick a slot, prove the phone with a code, get the appointment, cancel by link."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accueil import appointments
from accueil.models import Appointment, Attendance, BookableBy, BookedBy, Notification, OneTimeCode
from tests.accueil.factories import AppointmentFactory, MotifFactory, OpeningRuleFactory

pytestmark = pytest.mark.django_db


def _public_motif():
    motif = MotifFactory(bookable_by=BookableBy.PUBLIC, min_booking_delay_hours=2)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rule = OpeningRuleFactory(mds=motif.mds, motifs=[motif], weekday=tomorrow.isoweekday(), valid_from=tomorrow)
    return motif, rule


def test_a_person_books_a_slot_with_a_code_and_gets_no_confirmation_sms(client):
    """Index → details → code → confirmed: one appointment booked by the public, no confirmation SMS queued."""
    motif, rule = _public_motif()
    index = client.get(reverse("booking:index", args=[motif.mds.slug]), {"motif": motif.pk})
    slot = index.context["slots"][0]
    assert slot.agent_id == rule.agent_id
    details = reverse("booking:details", args=[motif.mds.slug])
    response = client.post(
        details,
        {
            "motif": motif.pk,
            "agent": slot.agent_id,
            "start": slot.starts_at.isoformat(),
            "last_name": "Benali",
            "phone": "06 12 34 56 78",
        },
    )
    assert response.status_code == 302
    code = Notification.objects.get(purpose=Notification.Purpose.ONE_TIME_CODE).context["code"]
    response = client.post(response["Location"], {"code": code}, follow=True)
    appointment = Appointment.objects.get()
    assert appointment.booked_by == BookedBy.PUBLIC and appointment.starts_at == slot.starts_at
    assert appointment.person.phone == "+33612345678"
    assert response.status_code == 200 and motif.name in response.content.decode()
    assert not Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION, channel="sms").exists()


def test_a_wrong_code_books_nothing(client):
    """A wrong code shows the error and leaves no appointment."""
    motif, _rule = _public_motif()
    slot = client.get(reverse("booking:index", args=[motif.mds.slug]), {"motif": motif.pk}).context["slots"][0]
    response = client.post(
        reverse("booking:details", args=[motif.mds.slug]),
        {
            "motif": motif.pk,
            "agent": slot.agent_id,
            "start": slot.starts_at.isoformat(),
            "last_name": "Benali",
            "email": "n@example.org",
        },
    )
    code = OneTimeCode.objects.get()
    response = client.post(response["Location"], {"code": "abcdef"})
    assert response.status_code == 200 and "pas le bon" in response.content.decode()
    assert not Appointment.objects.exists()
    code.refresh_from_db()
    assert code.attempts == 1


def test_a_forged_code_link_is_refused(client):
    """A code page whose token is not signed by us is a 404."""
    motif, _rule = _public_motif()
    forged = signing.dumps(1, salt="another.salt")
    assert client.get(reverse("booking:code", args=[motif.mds.slug, forged])).status_code == 404


def test_a_motif_for_agents_only_is_not_offered(client):
    """An agents-only motif is neither listed nor bookable by its id."""
    motif, rule = _public_motif()
    motif.bookable_by = BookableBy.AGENTS
    motif.save()
    index = client.get(reverse("booking:index", args=[motif.mds.slug]), {"motif": motif.pk})
    assert index.context["motifs"] == [] and index.context["slots"] == []
    start = timezone.now() + dt.timedelta(days=1)
    response = client.get(
        reverse("booking:details", args=[motif.mds.slug]),
        {"motif": motif.pk, "agent": rule.agent_id, "start": start.isoformat()},
    )
    assert response.status_code == 404


def test_the_cancel_link_cancels_in_time(client):
    """The signed link cancels the appointment: attendance "excused", the slot free again."""
    appointment = AppointmentFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    url = reverse("booking:cancel", args=[appointments.cancel_token(appointment)])
    assert client.post(url).status_code == 200
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.EXCUSED


def test_a_forged_cancel_link_is_refused(client):
    """A token signed with another salt (or tampered with) cancels nothing."""
    appointment = AppointmentFactory()
    forged = signing.dumps({"a": appointment.pk}, salt="accueil.other", compress=True)
    assert client.post(reverse("booking:cancel", args=[forged])).status_code == 404
    tampered = appointments.cancel_token(appointment)[:-2] + "xx"
    assert client.post(reverse("booking:cancel", args=[tampered])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.cancelled_at is None


def test_an_expired_cancel_link_is_refused(client, settings):
    """Past the link's lifetime the cancellation is refused."""
    appointment = AppointmentFactory()
    token = appointments.cancel_token(appointment)
    settings.APPOINTMENT_CANCEL_LINK_MAX_AGE = -1
    assert client.post(reverse("booking:cancel", args=[token])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.cancelled_at is None


def test_the_cancel_link_honours_the_motifs_deadline(client):
    """Less than the motif's 24 hours before, the link refuses and the appointment stays."""
    appointment = AppointmentFactory(starts_at=timezone.now() + dt.timedelta(hours=5))
    response = client.post(reverse("booking:cancel", args=[appointments.cancel_token(appointment)]))
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.cancelled_at is None
