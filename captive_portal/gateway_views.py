"""The gateways' own entry points: where routers and controllers send visitors, and what they poll.

The visitor always meets the same splash as /portal/<slug>/ (views.splash), whatever door they came in by.
"""

import logging
import re

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from captive_portal import authmon, services, views
from captive_portal.captive_api import MEDIA_TYPE, api_document, captive_status, portal_origin
from captive_portal.gateways.base import GatewayError, gateway_class, kinds_of
from captive_portal.gateways.opennds import OpenNDSGateway, OpenNDSLevel3
from captive_portal.gateways.unifi import portal_for_redirect
from captive_portal.models import SitePortal
from captive_portal.redirects import safe_http_url
from captive_portal.selectors import portal_page
from core.net import client_ip

logger = logging.getLogger(__name__)

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


@csrf_exempt  # authmon posts with no cookie and no token; it only ever reads or deletes its own queue
@never_cache
@require_http_methods(["GET", "POST"])
def opennds(request, slug: str, key: str | None = None):
    """The router's FAS URL (faspath /portal/gw/opennds/<slug>/[<authmon key>/]): the splash, and authmon's polls.

    authmon POSTs `auth_get` here (openNDS ≥ 10 with wget sends it as a GET query instead).
    """
    if request.method == "POST" or "auth_get" in request.GET:
        return _authmon(request, slug, key)
    page = portal_page(slug, views.choose_language(request))  # the page splash reads next: cached once
    if page is None or not _is_opennds(page.gateway_kind):
        raise Http404
    if not authmon.path_key_matches(views._portal(page), key):
        raise Http404
    return views.splash(request, slug=slug)


def _is_opennds(kind: str) -> bool:
    try:
        return issubclass(gateway_class(kind), OpenNDSGateway)
    except GatewayError:
        return False


def _authmon(request, slug: str, key: str | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    portal = (
        SitePortal.objects.filter(site__slug=slug, enabled=True, gateway_kind__in=kinds_of(OpenNDSLevel3))
        .only("site_id", "gateway_kind", "gateway_options")
        .first()
    )
    if portal is None:
        services.rejection_count(site_id=None, reason="authmon_unknown_site")
        return _text("", status=404)
    site_id = portal.site_id
    if not authmon.caller_allowed(portal=portal, ip=client_ip(request), key=key):
        # Closed unless the site declares its gateway (key in the FAS path, source networks): see authmon.
        reason = "authmon_not_configured" if authmon.authmon_problems(portal) else "authmon_forbidden"
        services.rejection_count(site_id=site_id, reason=reason)
        return _text("", status=403)
    action = data.get("auth_get", "")
    gateway_hash = data.get("gatewayhash", "").strip().lower()
    if not _HEX64.fullmatch(gateway_hash):
        services.rejection_count(site_id=site_id, reason="authmon_bad_hash")
        return _text("", status=400)
    payload = authmon.decode_payload(data.get("payload", ""))
    if action == "clear":
        authmon.authmon_clear(site_id=site_id, gateway_hash=gateway_hash)
        return _text("")
    if action == "view" and payload.strip() not in ("", "none"):
        authmon.authmon_ack(site_id=site_id, gateway_hash=gateway_hash, acknowledged=payload)
        return _text("ack")
    if action in ("view", "list"):  # "list" (before openNDS 9) forgets what it delivers
        return _text(authmon.authmon_view(site_id=site_id, gateway_hash=gateway_hash, forget=action == "list"))
    if action == "deauthed":
        if not authmon.authmon_deauthed(site_id=site_id, notification=payload):
            logger.info("openNDS deauthed notification for site %s matched no open connection", site_id)
        return _text("ack")
    if action == "custom":
        return _text("ack")
    services.rejection_count(site_id=site_id, reason="authmon_bad_action")
    return _text("", status=400)


@never_cache
@require_GET
def unifi(request, controller_site: str):
    """The UniFi controller's external-portal redirect: /guest/s/<controller site>/?id=…&ap=…&t=…&url=…"""
    portal = portal_for_redirect(controller_site=controller_site, ap=request.GET.get("ap", ""))
    if portal is None:
        return views._refuse(request, reason="unknown_unifi_site")
    return views.splash(request, slug=portal.site.slug)


@csrf_exempt  # a read-only JSON API: a POST is refused as a method (405), not as a forged form (403)
@require_safe
def captive_api(request, slug: str):
    """RFC 8908: is this device captive here, and where is the portal. Never cached (§5: private, no-store)."""
    page = portal_page(slug, settings.LANGUAGE_CODE)
    if page is None:
        raise Http404
    status = captive_status(site_id=page.site_id, session_minutes=page.session_minutes, ip=client_ip(request))
    response = JsonResponse(
        api_document(slug=slug, origin=portal_origin(request), status=status), content_type=MEDIA_TYPE
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@never_cache
@require_safe
def captive_start(request, slug: str):
    """The RFC 8908 user-portal-url: off to a plain-http probe, which the site's gateway intercepts and redirects
    to the splash with its own parameters (the only way in). A device already let through just sees the probe."""
    if portal_page(slug, settings.LANGUAGE_CODE) is None:
        raise Http404
    probe = safe_http_url(settings.PORTAL_PROBE_URL)
    if probe is None or not probe.startswith("http://"):
        raise Http404
    return HttpResponseRedirect(probe)
