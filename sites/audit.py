"""The audit trail: which models' changes are kept, and how a read of personal data is recorded.

Later apps register their sensitive models in their own AppConfig.ready() and call
`record_access()` wherever an agent opens personal data or a legal log.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog

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
