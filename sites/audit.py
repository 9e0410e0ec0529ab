"""Models whose changes the audit trail keeps. Later apps register theirs in their own ready()."""

from auditlog.registry import auditlog

from sites.models import Agent, Mds, Membership, OpeningPeriod, Site, Zone

auditlog.register(Agent, exclude_fields=["password", "last_login"])
auditlog.register(Membership)
auditlog.register(Mds, m2m_fields={"services"})
auditlog.register(OpeningPeriod)
auditlog.register(Site)
auditlog.register(Zone)
