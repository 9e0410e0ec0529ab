"""Polling drivers: one module per way of asking an access point how it is.

Each driver subclasses `Probe`, implements `attempt()` (one question over the network; the base class retries)
and checks its own settings in `clean_settings()`. settings.WIFI_PROBES names the drivers by dotted path;
`probe_classes()` loads them.
"""

from wifi.probes.base import AttemptFailed, Probe, ProbeResult, ProbeTarget
from wifi.probes.loading import probe_choices, probe_class, probe_classes

__all__ = ["AttemptFailed", "Probe", "ProbeResult", "ProbeTarget", "probe_choices", "probe_class", "probe_classes"]
