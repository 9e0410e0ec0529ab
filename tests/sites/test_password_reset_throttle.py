import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from sites.roles import Role
from sites.views.auth import RESET_PER_ACCOUNT, RESET_PER_ADDRESS
from tests.factories import agent_with_role
from tests.support import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_mail(expected: int) -> list:
    wait_until(lambda: len(mail.outbox) >= expected)
    time.sleep(0.5)  # more, wrong, emails would have arrived by now
    return mail.outbox


def _ask(client, email, address):
    return client.post(reverse("sites:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_thirty_requests_for_one_account_send_only_a_few_emails(client, celery_worker):
    """Thirty requests for one account from thirty addresses: three emails, thirty identical answers."""
    agent_with_role(Role.OPS, email="tech@departement.test")
    answers = {
        (r.status_code, r["Location"])
        for r in (_ask(client, "Tech@departement.test", f"198.51.100.{i}") for i in range(30))
    }
    assert answers == {(302, reverse("sites:password_reset_done"))}
    outbox = _wait_for_mail(RESET_PER_ACCOUNT.limit)
    assert len(outbox) == RESET_PER_ACCOUNT.limit == 3
    assert {tuple(message.to) for message in outbox} == {("tech@departement.test",)}


def test_requests_from_one_address_are_limited_whatever_the_accounts(client, celery_worker):
    """Thirty agents' addresses typed from one address: only the first ten get an email."""
    for i in range(30):
        agent_with_role(Role.OPS, email=f"agent{i}@departement.test")
    for i in range(30):
        assert _ask(client, f"agent{i}@departement.test", "203.0.113.9").status_code == 302
    outbox = _wait_for_mail(RESET_PER_ADDRESS.limit)
    assert len(outbox) == RESET_PER_ADDRESS.limit == 10


def test_a_throttled_answer_looks_like_any_other(client, celery_worker):
    """Known or unknown address, throttled or not: the same redirect and the same page."""
    agent_with_role(Role.OPS, email="tech@departement.test")
    pages = set()
    for email in ["tech@departement.test"] * 5 + ["nobody@departement.test"] * 5:
        response = client.post(reverse("sites:password_reset"), {"email": email}, REMOTE_ADDR="192.0.2.1", follow=True)
        page = re.sub(r'nonce="[^"]*"', "", response.content.decode())  # the CSP nonce differs per answer
        pages.add((response.redirect_chain[-1][0], page))
    assert len(pages) == 1
    assert len(_wait_for_mail(3)) == 3


DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db  # not transactional: the emails wait for a commit that the test observes
def test_with_the_cache_down_no_reset_email_is_queued_but_the_answer_is_the_same(
    client, settings, django_capture_on_commit_callbacks
):
    """The limits fail closed: without their counter nothing is sent, and the page says the usual thing."""
    agent_with_role(Role.OPS, email="tech@departement.test")
    with django_capture_on_commit_callbacks() as queued_with_cache:
        up = client.post(reverse("sites:password_reset"), {"email": "tech@departement.test"})
    settings.CACHES = DOWN
    with django_capture_on_commit_callbacks() as queued_without_cache:
        down = client.post(reverse("sites:password_reset"), {"email": "tech@departement.test"})
    assert (down.status_code, down["Location"]) == (up.status_code, up["Location"])
    assert len(queued_with_cache) == 1
    assert queued_without_cache == []
