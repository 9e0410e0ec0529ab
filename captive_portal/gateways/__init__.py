"""The portal side of each gateway protocol, one module per protocol behind `Gateway`."""

from captive_portal.gateways.base import Arrival, Authorisation, Gateway, GatewayError, for_portal

__all__ = ["Arrival", "Authorisation", "Gateway", "GatewayError", "for_portal"]
