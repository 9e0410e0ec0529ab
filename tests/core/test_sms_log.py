"""The log of sent messages: kept one year, read in the admin, never edited there."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import SentMessage
from core.sms import send_sms
from sites import retention
from sites.roles import Role
from sites.tasks import purge_expired_personal_data
from tests.factories import agent_with_role

pytestmark = pytest.mark.django_db


def _sent(days_ago: int) -> SentMessage:
    send_sms("06 12 34 56 78", f"il y a {days_ago} jours")
    row = SentMessage.objects.latest("pk")
    SentMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return row


def test_the_log_of_sent_messages_is_purged_after_a_year():
    """The daily purge removes what is past 365 days and keeps the rest."""
    old, kept = _sent(366), _sent(364)
    purge_expired_personal_data()  # the beat task, run in-process
    assert list(SentMessage.objects.values_list("pk", flat=True)) == [kept.pk]
    assert old.pk != kept.pk
    rule = next(rule for rule in retention.rules() if rule.model == "core.SentMessage")
    assert rule.keep == datetime.timedelta(days=365)


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "administrator role"])
def test_the_admin_lists_sent_messages_masked_and_read_only(signed_in, superuser):
    """An administrator sees what went, to whom (masked), and cannot add or change a row."""
    send_sms("06 12 34 56 78", "Bonjour Dominique", template_name="accueil/sms/received.txt")
    row = SentMessage.objects.get()
    client = signed_in(agent_with_role(Role.ADMIN, is_staff=True, is_superuser=superuser))
    listing = client.get(reverse("admin:core_sentmessage_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "+33 6 •• •• •• 78" in html and "accueil/sms/received.txt" in html
    assert "Messages envoyés" in html  # the back-office is French
    assert "Dominique" not in html and "612345678" not in html
    assert client.get(reverse("admin:core_sentmessage_add")).status_code == 403
    client.post(reverse("admin:core_sentmessage_change", args=[row.pk]), {"result": "failed", "error": "edited"})
    assert SentMessage.objects.values_list("result", "error").get() == ("sent", "")


@pytest.mark.parametrize("role", [Role.OPS, Role.PROGRAMME, Role.FINANCE])
def test_other_roles_do_not_read_the_log(signed_in, role):
    """Only administrators read the log of notifications; staff of other roles get a refusal."""
    client = signed_in(agent_with_role(role, is_staff=True))
    assert client.get(reverse("admin:core_sentmessage_changelist")).status_code == 403
