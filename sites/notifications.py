"""Email to agents, sent by a Celery worker once the transaction that caused it has committed."""

import logging

from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def email_send_after_commit(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Queue an email for after commit. If the broker is down, send it from here rather than lose it."""

    def enqueue():
        from sites.tasks import send_email

        try:
            send_email.delay(subject=subject, body=body, to=to, html_body=html_body)
        except OperationalError:
            logger.warning("Broker unavailable: sending %r to %d recipient(s) in-process", subject, len(to))
            deliver_email(subject=subject, body=body, to=to, html_body=html_body)

    transaction.on_commit(enqueue)


def deliver_email(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    message = mail.EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
