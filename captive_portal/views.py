"""The visitor's path: splash → accept → connected. Works without JavaScript and without cookies.

The gateway's parameters travel from the splash to the accept form signed (no session: the
captive-network mini-browser may keep no cookie), and the form needs no CSRF cookie for the same
reason: the signature binds it to this site and expires after a few minutes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
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

from captive_portal import services
from captive_portal.captive_api import portal_origin
from captive_portal.content import click_count
from captive_portal.gateways import Arrival, GatewayError, for_portal
from captive_portal.models import ContentLink, SitePortal, TermsVersion
from captive_portal.redirects import safe_http_url
from captive_portal.selectors import portal_page, portal_page_keyed

STATE_SALT = "captive_portal.arrival"
STATE_MAX_AGE = 15 * 60  # seconds a visitor may read the splash before accepting
ACCEPTS_PER_MINUTE = 30  # per address: a device accepts once; more is a script


def choose_language(request) -> str:
    codes = dict(settings.PORTAL_LANGUAGES)
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in codes:
        return asked
    try:
        return get_supported_language_variant(translation.get_language_from_request(request))
    except LookupError:
        return settings.LANGUAGE_CODE


def _refuse(request, *, reason: str, site_id: int | None = None, status: int = 400):
    services.rejection_count(site_id=site_id, reason=reason)
    return render(request, "captive_portal/refused.html", {"reason": reason}, status=status)


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


def _splash_skeleton(page, language: str, key: str) -> str:
    html = _skeletons.get(key)
    if html is None:
        languages = [
            {"code": code, "name": name, "url": f"?{_QUERY_SLOT}lang={code}", "current": code == language}
            for code, name in settings.PORTAL_LANGUAGES
        ]
        html = render_to_string(
            "captive_portal/splash.html",
            {"page": page, "language": language, "languages": languages, "state": _STATE_SLOT},
        )
        if len(_skeletons) > 256:  # a new content version or day: drop the old ones
            _skeletons.clear()
        _skeletons[key] = html
    return html


@never_cache
@require_GET
def splash(request, slug: str):
    language = choose_language(request)
    translation.activate(language)
    page, page_key = portal_page_keyed(slug, language)
    if page is None:
        raise Http404
    if page.terms_id is None:
        return _refuse(request, reason="no_terms", site_id=page.site_id, status=503)
    state = ""
    if set(request.GET) - {"lang"}:
        try:
            arrival = for_portal(_portal(page)).arrival(request)
        except GatewayError as error:
            return _refuse(request, reason=error.reason, site_id=page.site_id)
        state = signing.dumps(_arrival_state(arrival), salt=STATE_SALT, compress=True)
    query = request.GET.copy()
    query.pop("lang", None)
    kept = f"{query.urlencode()}&" if query else ""
    html = (
        _splash_skeleton(page, language, page_key)
        .replace(_STATE_SLOT, escape(state))
        .replace(_QUERY_SLOT, escape(kept))
    )
    return HttpResponse(html)


def _portal(page) -> SitePortal:
    """The site's gateway settings, rebuilt from the cached page: reading a redirect costs no query."""
    return SitePortal(pk=page.portal_id, site_id=page.site_id, **page.gateway)


def _arrival_state(arrival: Arrival) -> dict:
    return {
        "mac": arrival.client_mac, "ip": arrival.client_ip, "port": arrival.client_port, "ap": arrival.ap_mac,
        "url": arrival.original_url, "token": arrival.token, "state": arrival.state,
    }  # fmt: skip


def _arrival(data: dict) -> Arrival:
    return Arrival(
        client_mac=data.get("mac"), client_ip=data.get("ip"), client_port=data.get("port"), ap_mac=data.get("ap"),
        original_url=data.get("url", ""), token=data.get("token", ""), state=data.get("state") or {},
    )  # fmt: skip


def _too_many_accepts(request, arrival: Arrival) -> bool:
    """Per device (its MAC, else its address as the gateway saw it): behind a site's NAT or our TLS proxy
    every visitor shares REMOTE_ADDR, so that alone would make a whole MDS share one budget."""
    who = arrival.client_mac or arrival.client_ip or request.META.get("REMOTE_ADDR", "")
    key = f"portal:accepts:{who}"
    added = cache.add(key, 1, timeout=60)
    return not added and cache.incr(key) > ACCEPTS_PER_MINUTE


@csrf_exempt  # no cookie in a captive mini-browser: the signed state is the form's protection
@never_cache
@require_POST
def accept(request, slug: str):
    """Accepting costs one INSERT (the connection record) plus the gateway call; the portal and the
    current terms come from the cached page."""
    language = choose_language(request)
    translation.activate(language)
    page = portal_page(slug, language)
    if page is None:
        raise Http404
    try:
        data = signing.loads(request.POST.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        return _refuse(request, reason="expired_state", site_id=page.site_id)
    except signing.BadSignature:
        data = None if request.POST.get("state") else {}
    if data is None:
        return _refuse(request, reason="bad_state", site_id=page.site_id)
    if str(page.terms_id) != request.POST.get("terms"):
        # Not the terms now in force in this language (changed while the visitor was reading): read them again.
        return _refuse(request, reason="bad_terms", site_id=page.site_id)
    arrival = _arrival(data)
    if not arrival.client_ip:
        # No address from the gateway: the request's own is the technical datum the law asks to keep.
        arrival.client_ip = request.META.get("REMOTE_ADDR")
    if _too_many_accepts(request, arrival):
        return _refuse(request, reason="rate_limited", site_id=page.site_id, status=429)
    portal = _portal(page)
    gateway = for_portal(portal)
    connected = connected_url(slug=slug, language=language, destination=arrival.original_url)
    arrival.return_url = portal_origin(request) + connected
    try:
        services.token_claim(portal=portal, token=arrival.token)
    except GatewayError as error:  # a replayed redirect: the visitor's request is at fault, not the gateway
        return _refuse(request, reason=error.reason, site_id=page.site_id)
    try:
        services.connection_accept(portal=portal, arrival=arrival, terms_id=page.terms_id, language=language)
        outcome = gateway.authorise(arrival=arrival, minutes=portal.session_minutes) if data else None
    except GatewayError as error:
        return _refuse(request, reason=error.reason, site_id=page.site_id, status=502)
    if outcome and outcome.browser_url:
        # The gateway's own address, from its signed redirect: the visitor's browser must pass by it.
        return HttpResponseRedirect(outcome.browser_url)
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


@never_cache
@require_GET
def connected(request, slug: str):
    language, page = _public_page(request, slug)
    return render(
        request,
        "captive_portal/connected.html",
        {"page": page, "language": language, "languages": _language_links(request, language),
         "destination": safe_http_url(request.GET.get("to", ""))},
    )  # fmt: skip


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
