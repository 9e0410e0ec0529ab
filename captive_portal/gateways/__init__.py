"""The portal side of each gateway protocol, one module per protocol behind `Gateway`, named in PORTAL_GATEWAYS."""

from captive_portal.gateways.base import (
    Arrival,
    Authorisation,
    Gateway,
    GatewayError,
    SetupInstructions,
    for_portal,
    gateway_class,
    gateway_classes,
)

__all__ = [
    "Arrival",
    "Authorisation",
    "Gateway",
    "GatewayError",
    "SetupInstructions",
    "for_portal",
    "gateway_class",
    "gateway_classes",
]
