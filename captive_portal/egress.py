"""Where a site's visitors reach the portal from: the internet addresses of its own connection (egress).

UniFi and click-through redirects carry no signature, so their parameters prove nothing; the visitor's
browser, on the other hand, can only come from the site's own internet address while it is on the site's
WiFi. An arrival from anywhere else is refused (openNDS signs or encrypts its query and needs no such check).
"""

import ipaddress

from captive_portal.gateways.base import GatewayError, gateway_class
from captive_portal.models import EgressNetwork


def needs_egress_check(gateway_kind: str) -> bool:
    """Whether this kind's redirects prove nothing (its class's `signed_redirect`); an unknown kind proves nothing."""
    try:
        return not gateway_class(gateway_kind).signed_redirect
    except GatewayError:
        return True


def arrival_allowed(*, site_id: int, address: str | None) -> bool:
    """Whether `address` (core.net.client_ip, behind our trusted proxies) is one of the site's egress
    networks. A site with none configured admits nobody: closed until ops say where its visitors come from."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:  # a dual-stack socket's view of an IPv4 client
        ip = ip.ipv4_mapped
    networks = EgressNetwork.objects.filter(site_id=site_id).order_by().values_list("network", flat=True)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def has_networks(*, site_id: int) -> bool:
    return EgressNetwork.objects.filter(site_id=site_id).exists()
