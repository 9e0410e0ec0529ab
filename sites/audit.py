"""The audit trail: which models' changes are kept, and how a read of personal data is recorded.

Later apps register their sensitive models in their own AppConfig.ready() and call
`record_access()` wherever an agent opens personal data or a legal log.
"""

import contextlib
from typing import Any

from auditlog.context import auditlog_value, set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models, transaction

from sites.models import Agent, Mds, Membership, OpeningPeriod, PrivilegeGrant, Site, Zone

auditlog.register(Agent, exclude_fields=["password", "last_login"])
auditlog.register(Membership)
auditlog.register(PrivilegeGrant)
auditlog.register(Mds, m2m_fields={"services"})
auditlog.register(OpeningPeriod)
auditlog.register(Site)
auditlog.register(Zone)


def record_access(*, actor: Agent, instance, reason: str = "") -> LogEntry:
    """Keep who read `instance`, when, and why (e.g. a requisition reference)."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        changes={},
        additional_data={"reason": reason} if reason else None,
    )


def record_event(*, actor: Agent | None, instance, subject: str, event: str, reason: str = "") -> LogEntry:
    """Keep an event the model's own fields do not show (a second factor reset, an invitation sent), as a
    change of `subject` to `event`, with who did it and why."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        changes={subject: ["", event]},
        additional_data={"reason": reason} if reason else None,
    )


@contextlib.contextmanager
def acting_as(actor: Agent | None):
    """Attribute the audit entries written inside to `actor`, in a request or not (commands, tests).

    Keeps the request's other details (the address) and puts the request's context back afterwards:
    django-auditlog's own context manager leaves its context in place when it ends. No actor (a command
    loading data files) changes nothing: the entries say what the context says, usually nobody.
    """
    if actor is None:
        yield
        return
    previous = auditlog_value.get(None)
    context = {key: value for key, value in (previous or {}).items() if key != "signal_duid"}
    try:
        with set_extra_data(context | {"actor": actor}):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


@transaction.atomic
def audited_save[M: models.Model](instance: M, *, actor: Agent | None, **save_kwargs: Any) -> M:
    """Validate the whole object, then save it with its audit entry attributed to `actor`: the write of every
    service that stores one object. Validated here, not only in forms, so that no caller (the admin, a command,
    a later app) can store what the polling round or a gateway would misread."""
    instance.full_clean()
    with acting_as(actor):
        instance.save(**save_kwargs)
    return instance


@transaction.atomic
def audited_delete(instance: models.Model, *, actor: Agent | None) -> None:
    with acting_as(actor):
        instance.delete()
