"""Polling drivers: one module per way of asking an access point how it is.

Each driver subclasses `Probe` and implements `probe()`, the one method that touches the network.
`registry()` maps a `ProbeKind` to its driver.
"""

from wifi.probes.base import Probe, ProbeResult, ProbeTarget, registry

__all__ = ["Probe", "ProbeResult", "ProbeTarget", "registry"]
