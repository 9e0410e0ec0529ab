"""The visitor's path: splash → accept → (hand-over to the gateway) → connected. Works without JavaScript
and without cookies.

The gateway's parameters travel from the splash to the accept form signed (no session: the
captive-network mini-browser may keep no cookie), and the form needs no CSRF cookie for the same
reason: the signature binds it to this site and expires after a few minutes. A signed state is used
once (captive_portal.services.visit_authorise claims it in the database).

Accept never redirects the browser to the gateway: the CSP's `form-action 'self'` also applies to the
redirects that follow a form (Chromium, hence Android's captive-portal screen, enforces it), so a 302 to
`http://<gateway>/…` would be blocked. Accept answers a page of our own that forwards by
`<meta http-equiv="refresh">` and a plain link instead (no JavaScript, no form: the CSP does not apply).
"""

import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import get_supported_language_variant
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from captive_portal import egress, services
from captive_portal.captive_api import portal_origin
from captive_portal.content import click_count
from captive_portal.gateways import Arrival, GatewayError, for_portal
from captive_portal.models import AddressSource, ContentLink, GatewayAuthorisation, SitePortal, TermsVersion
from captive_portal.redirects import safe_http_url
from captive_portal.selectors import portal_page, portal_page_keyed
from core.net import client_ip
from core.ratelimit import RateLimit

STATE_SALT = "captive_portal.arrival"
STATE_MAX_AGE = 15 * 60  # seconds a visitor may read the splash before accepting
WAIT_SALT = "captive_portal.wait"
WAIT_REFRESH = 3  # seconds between two looks of the "connecting…" page
WAIT_TIMEOUT = 60  # seconds after which the visitor is told their gateway has not let them in yet
# A device accepts once per session; a site's visitors share its NAT address, a whole MDS shares the site
# budget. Failing open: a portal down with Redis would lock every visitor out (core.ratelimit).
ACCEPTS_BY_DEVICE = RateLimit("portal-accept-device", limit=settings.PORTAL_ACCEPTS_PER_MINUTE["device"], window=60)
ACCEPTS_BY_SOURCE = RateLimit("portal-accept-source", limit=settings.PORTAL_ACCEPTS_PER_MINUTE["source"], window=60)
ACCEPTS_BY_SITE = RateLimit("portal-accept-site", limit=settings.PORTAL_ACCEPTS_PER_MINUTE["site"], window=60)
# Refusals that mean the WiFi equipment (controller, router) did not answer or failed, not the visitor.
EQUIPMENT_FAILURES = ("controller_", "gateway_")


def choose_language(request) -> str:
    codes = dict(settings.PORTAL_LANGUAGES)
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in codes:
        return asked
    try:
        return get_supported_language_variant(translation.get_language_from_request(request))
    except LookupError:
        return settings.LANGUAGE_CODE


def _refuse(request, *, reason: str, site_id: int | None = None, status: int = 400, retry: dict | None = None):
    """The refusal page, counted. `retry`: the accept form's fields, for a "try again" button."""
    services.rejection_count(site_id=site_id, reason=reason)
    if reason.startswith(EQUIPMENT_FAILURES):
        kind = "equipment"
    elif reason in ("outside_egress", "egress_not_configured", "rate_limited"):
        kind = reason
    else:
        kind = "request"
    return render(request, "captive_portal/refused.html", {"reason": reason, "kind": kind, "retry": retry},
                  status=status)  # fmt: skip


def _language_links(request, current: str) -> list[dict]:
    links = []
    for code, name in settings.PORTAL_LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append({"code": code, "name": name, "url": f"?{query.urlencode()}", "current": code == current})
    return links


# The splash is the same HTML for every visitor of a site and language but for two things: the signed
# gateway state and the query string the language links keep. It is rendered once per content version
# with placeholders, then only those are filled in: no template rendering on the hot path.
_STATE_SLOT = "__portal_state__"
_QUERY_SLOT = "__portal_query__"
_skeletons: dict[tuple, str] = {}


def _splash_skeleton(page, language: str, key: str, *, with_form: bool) -> str:
    key = f"{key}:{'form' if with_form else 'bare'}"
    html = _skeletons.get(key)
    if html is None:
        languages = [
            {"code": code, "name": name, "url": f"?{_QUERY_SLOT}lang={code}", "current": code == language}
            for code, name in settings.PORTAL_LANGUAGES
        ]
        html = render_to_string(
            "captive_portal/splash.html",
            # Without a gateway's redirect there is nobody to let in: the page says how to get one, no button.
            {"page": page, "language": language, "languages": languages, "state": _STATE_SLOT if with_form else ""},
        )
        if len(_skeletons) > 256:  # a new content version or day: drop the old ones
            _skeletons.clear()
        _skeletons[key] = html
    return html


class SplashRefused(Exception):
    """The splash cannot be shown as such: `views.splash` renders the refusal page (and counts it)."""

    def __init__(self, reason: str, *, site_id: int, status: int = 400):
        super().__init__(reason)
        self.reason, self.site_id, self.status = reason, site_id, status


def splash_response(request, slug: str) -> HttpResponse:
    """The splash of a site in the visitor's language, or Http404, or SplashRefused.

    Needs nothing of the request but its query, headers and language cookie: no session, no user, no CSRF
    token (accept's form is protected by its signed state). So captive_portal.middleware can serve it ahead
    of the middleware that provide those; the refusal and 404 pages, which render with the whole request
    context, are left to `splash` below.
    """
    language = choose_language(request)
    translation.activate(language)
    page, page_key = portal_page_keyed(slug, language)
    if page is None:
        raise Http404
    if page.terms_id is None:
        raise SplashRefused("no_terms", site_id=page.site_id, status=503)
    state = ""
    if set(request.GET) - {"lang"}:
        try:
            arrival = for_portal(_portal(page)).arrival(request)
        except GatewayError as error:
            raise SplashRefused(error.reason, site_id=page.site_id) from error
        state = signing.dumps(_arrival_state(arrival), salt=STATE_SALT, compress=True)
    query = request.GET.copy()
    query.pop("lang", None)
    kept = f"{query.urlencode()}&" if query else ""
    html = (
        _splash_skeleton(page, language, page_key, with_form=bool(state))
        .replace(_STATE_SLOT, escape(state))
        .replace(_QUERY_SLOT, escape(kept))
    )
    return HttpResponse(html)


@never_cache
@require_GET
def splash(request, slug: str):
    try:
        return splash_response(request, slug)
    except SplashRefused as refused:
        return _refuse(request, reason=refused.reason, site_id=refused.site_id, status=refused.status)


def _portal(page) -> SitePortal:
    """The site's gateway settings, rebuilt from the cached page: reading a redirect costs no query."""
    return SitePortal(
        pk=page.portal_id, site_id=page.site_id, gateway_kind=page.gateway_kind, gateway_options=page.gateway_options,
        session_minutes=page.session_minutes, idle_timeout_minutes=page.idle_timeout_minutes,
        upload_kbps=page.upload_kbps, download_kbps=page.download_kbps,
    )  # fmt: skip


def _arrival_state(arrival: Arrival) -> dict:
    return {
        "mac": arrival.client_mac, "ip": arrival.client_ip, "port": arrival.client_port, "ap": arrival.ap_mac,
        "url": arrival.original_url, "token": arrival.token, "state": arrival.state,
        # Two identical redirects in the same second must still make two states (each is claimed once).
        "n": secrets.token_hex(4),
    }  # fmt: skip


def _arrival(data: dict) -> Arrival:
    return Arrival(
        client_mac=data.get("mac"), client_ip=data.get("ip"), client_port=data.get("port"), ap_mac=data.get("ap"),
        original_url=data.get("url", ""), token=data.get("token", ""), state=data.get("state") or {},
    )  # fmt: skip


def _too_many_accepts(*, site_id: int, source: str | None, arrival: Arrival) -> bool:
    """By device (its MAC, else its address as the gateway reported it), by the address the request came from
    (behind our proxies) and by site: the device alone is named by the redirect, which a script can vary. The
    device is counted first, so that one device looping on accept spends its own budget, not its whole MDS's."""
    device = arrival.client_mac or (arrival.client_ip if arrival.client_ip_source == AddressSource.GATEWAY else "")
    return (
        ACCEPTS_BY_DEVICE.exceeded(device or "")
        or ACCEPTS_BY_SOURCE.exceeded(source or "")
        or ACCEPTS_BY_SITE.exceeded(str(site_id))
    )


@csrf_exempt  # no cookie in a captive mini-browser: the signed state is the form's protection
@never_cache
@require_POST
def accept(request, slug: str):
    """Check the signed state, where the request comes from and how often, then let the device in
    (services.visit_authorise: claim, gateway, connection record) and hand the browser on."""
    language = choose_language(request)
    translation.activate(language)
    page = portal_page(slug, language)
    if page is None:
        raise Http404
    raw_state = request.POST.get("state", "")
    if not raw_state:  # only the gateway's redirect makes a state: without one there is nobody to let in
        return _refuse(request, reason="no_state", site_id=page.site_id)
    try:
        data = signing.loads(raw_state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        return _refuse(request, reason="expired_state", site_id=page.site_id)
    except signing.BadSignature:
        return _refuse(request, reason="bad_state", site_id=page.site_id)
    if str(page.terms_id) != request.POST.get("terms"):
        # Not the terms now in force in this language (changed while the visitor was reading): read them again.
        return _refuse(request, reason="bad_terms", site_id=page.site_id)
    seen_from = client_ip(request)
    arrival = _arrival(data)
    if not arrival.client_ip:
        # No address from the gateway: the one the request came from (the site's NAT, or a proxy), said so.
        arrival.client_ip, arrival.client_ip_source = seen_from, AddressSource.PORTAL
    portal = _portal(page)
    # Where the request comes from is checked before anything is counted: a stranger on the internet must
    # not spend the budget of the site's real visitors.
    if egress.needs_egress_check(portal.gateway_kind) and not egress.arrival_allowed(
        site_id=page.site_id, address=seen_from
    ):
        # A site whose egress networks ops have not declared yet (a fresh install's portal "à configurer")
        # says so, rather than telling a visitor who is on the MDS WiFi to join it.
        reason = "outside_egress" if egress.has_networks(site_id=page.site_id) else "egress_not_configured"
        return _refuse(request, reason=reason, site_id=page.site_id, status=403)
    if _too_many_accepts(site_id=page.site_id, source=seen_from, arrival=arrival):
        return _refuse(request, reason="rate_limited", site_id=page.site_id, status=429)
    connected = connected_url(slug=slug, language=language, destination=arrival.original_url)
    arrival.return_url = portal_origin(request) + connected
    try:
        _record, outcome = services.visit_authorise(
            portal=portal, gateway=for_portal(portal), arrival=arrival, terms_id=page.terms_id, language=language,
            claim=services.claim_key(gateway_kind=portal.gateway_kind, token=arrival.token, state=raw_state),
            seen_from=seen_from,
        )  # fmt: skip
    except GatewayError as error:
        if error.reason.startswith(EQUIPMENT_FAILURES):  # nothing was claimed: the same form may be sent again
            retry = {"slug": slug, "state": raw_state, "lang": language, "terms": page.terms_id}
            return _refuse(request, reason=error.reason, site_id=page.site_id, status=502, retry=retry)
        return _refuse(request, reason=error.reason, site_id=page.site_id)
    if outcome.browser_url:
        # The gateway's own address (openNDS level 1, a click-through continue link): through our page.
        return render(request, "captive_portal/handover.html", {"page": page, "url": outcome.browser_url})
    if outcome.pending_id:
        wait = signing.dumps({"a": outcome.pending_id, "t": int(time.time())}, salt=WAIT_SALT)
        connected += "&" + urlencode({"wait": wait})
    return HttpResponseRedirect(connected)


def connected_url(*, slug: str, language: str, destination: str = "") -> str:
    query = {"lang": language}
    if safe_http_url(destination):
        query["to"] = destination
    return f"{reverse('captive_portal:connected', kwargs={'slug': slug})}?{urlencode(query)}"


def _public_page(request, slug: str):
    """The visitor's language (activated) and the site's cached page, or 404."""
    language = choose_language(request)
    translation.activate(language)
    page = portal_page(slug, language)
    if page is None:
        raise Http404
    return language, page


DROPPED = -1  # `_still_waiting`: authmon dropped the authorisation, waiting longer cannot help


def _still_waiting(value: str, *, site_id: int) -> int | None:
    """openNDS level 3: seconds since accepting while the gateway's authmon has not acknowledged the
    authorisation (its queue entry still exists), DROPPED when authmon dropped it, else None (acknowledged,
    or nothing to wait for)."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=WAIT_SALT, max_age=24 * 60 * 60)
    except signing.BadSignature:
        return None
    if not GatewayAuthorisation.objects.filter(pk=data.get("a"), site_id=site_id).exists():
        # Gone: acknowledged (connected), unless authmon dropped it (the gateway restarted, or never came).
        return DROPPED if services.authorisation_was_dropped(authorisation_id=data.get("a")) else None
    return max(0, int(time.time()) - int(data.get("t", 0)))


@never_cache
@require_GET
def connected(request, slug: str):
    language, page = _public_page(request, slug)
    context = {"page": page, "language": language, "languages": _language_links(request, language),
               "destination": safe_http_url(request.GET.get("to", ""))}  # fmt: skip
    waited = _still_waiting(request.GET.get("wait", ""), site_id=page.site_id)
    if waited is not None:
        # Not online yet: say so, and look again shortly (meta refresh, no JavaScript) until the ack or the timeout;
        # after a drop, only joining the WiFi again (a new redirect from the gateway) can help.
        dropped = waited == DROPPED
        context.update(timed_out=dropped or waited >= WAIT_TIMEOUT, dropped=dropped, refresh=WAIT_REFRESH)
        return render(request, "captive_portal/connecting.html", context)
    return render(request, "captive_portal/connected.html", context)


@require_GET
def follow_link(request, slug: str, link_id: int):
    """Count a click, then go to the link's own address: only ever to the URL of an existing block link."""
    link = get_object_or_404(ContentLink.objects.select_related("block"), pk=link_id, block__published=True)
    page = portal_page(slug, link.block.language)
    if page is None:
        raise Http404
    click_count(link_id=link.pk, site_id=page.site_id)
    return HttpResponseRedirect(link.url)


@require_GET
def terms(request, slug: str):
    language, page = _public_page(request, slug)
    current = TermsVersion.objects.filter(pk=page.terms_id).first()
    return render(request, "captive_portal/terms.html", {"page": page, "language": language, "terms": current})
