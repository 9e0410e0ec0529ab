"""What the public pages show, read once and cached until content changes.

A cached splash costs no query and, once this process holds the page, no Redis round trip either (see
CONTENT_VERSION_TTL); an uncached one three: the portal with its site, MDS, hours,
services and current terms (one query, aggregated), the live blocks, and their links.
"""

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import Case, CharField, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone

from captive_portal.models import ContentBlock, SitePortal, TermsVersion
from core.cache import UNREACHABLE, strict
from mediation.selectors import sessions_open
from sites.models import OpeningPeriod, Service

CONTENT_VERSION_KEY = "portal:content-version"
PAGE_TTL = 60 * 60  # an hour at most, so that dated blocks appear and go on time (and workshops begun go)
WORKSHOPS_SHOWN = 3
PAGE_FORMAT = 5  # bump when PortalPage or its reading changes: a deployment must not read the old pickles


# How long a process trusts its own copy of the content version: a change made through another process shows
# on this one's pages at most this late. Reading it from Redis on every request cost more than the page itself.
CONTENT_VERSION_TTL = 2.0  # seconds
_version: tuple[str, float] = ("", float("-inf"))  # (version, when this process read it: time.monotonic())
_unannounced = False  # a change this process could not write to the cache (Redis down): announce it later


def content_version() -> str:
    """A random token, not a counter: after a Redis restart a counter would start again at 1 and match the
    pages a process still holds from before. Read from the cache at most every CONTENT_VERSION_TTL seconds.

    With Redis unreachable every read gives a new token, so each process rebuilds its pages from the
    database every few seconds: slower, never stale.
    """
    global _version, _unannounced
    version, read_at = _version
    now = time.monotonic()
    if now - read_at < CONTENT_VERSION_TTL:
        return version
    if _unannounced:
        _unannounced = not _announce(uuid.uuid4().hex)
    version = cache.get_or_set(CONTENT_VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)
    _version = (version, now)
    return version


def _announce(version: str) -> bool:
    try:
        with strict():
            cache.set(CONTENT_VERSION_KEY, version, timeout=None)
        return True
    except UNREACHABLE:
        return False


def content_changed(**_kwargs) -> None:
    """Any edit of what the portal shows: every cached page is stale at once (in other processes within
    CONTENT_VERSION_TTL). An edit made while Redis is unreachable is announced once it answers again, or
    the pages it still holds under the old version would come back for up to PAGE_TTL."""
    global _version, _unannounced
    version = uuid.uuid4().hex
    if not _announce(version):
        _unannounced = True
    _version = (version, time.monotonic())


def content_version_forget() -> None:
    """Read the version from the cache next time (tests that clear the cache start from there)."""
    global _version, _unannounced
    _version, _unannounced = ("", float("-inf")), False


@dataclass(frozen=True)
class Link:
    id: int
    label: str


@dataclass(frozen=True)
class Block:
    kind: str
    language: str
    title: str
    body: str
    image_url: str
    image_alt: str
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class UpcomingSession:
    """A workshop session of the site's MDS, as the splash lists it (no seat count: a registration changes that
    often, and would make every cached page stale)."""

    id: int
    title: str
    starts_at: dt.datetime
    site_name: str


@dataclass(frozen=True)
class PortalPage:
    portal_id: int
    site_id: int
    site_slug: str
    site_name: str
    mds_name: str
    mds_slug: str
    street: str
    postal_code: str
    commune: str
    phone: str
    hours: list[tuple[int, str, str]]  # (weekday 1-7, opens, closes)
    services: list[str]
    gateway_kind: str
    gateway_options: dict  # what the gateway's class reads (no secrets: those stay in settings)
    session_minutes: int
    idle_timeout_minutes: int | None
    upload_kbps: int | None
    download_kbps: int | None
    terms_id: int | None
    terms_version: int | None
    terms_summary: str
    terms_language: str
    blocks: list[Block]
    workshops: list[UpcomingSession] = field(default_factory=list)

    @property
    def workshops_apart(self) -> bool:
        """No "workshops" block written by the agents to hold the sessions: they get a section of their own."""
        return bool(self.workshops) and not any(block.kind == "workshops" for block in self.blocks)


def _split(text: str | None, sep: str) -> list[str]:
    return [part for part in (text or "").split(sep) if part]


_local: dict[str, object] = {}  # this process's copy of the shared cache: one Redis GET a page, not two


def portal_page(slug: str, language: str) -> PortalPage | None:
    return portal_page_keyed(slug, language)[0]


def portal_page_keyed(slug: str, language: str) -> tuple[PortalPage | None, str]:
    """The page and the key it is cached under (which changes with every content version and day)."""
    key = f"portal:page:{PAGE_FORMAT}:{content_version()}:{slug}:{language}:{timezone.localdate()}"
    page = _local.get(key)
    if page is None:
        page = cache.get(key)
        if page is None:
            page = _load(slug, language)
            cache.set(key, page or "missing", timeout=PAGE_TTL)
        if len(_local) > 512:
            _local.clear()
        _local[key] = page
    return (None if page == "missing" else page), key


def current_terms(language: str):
    """The terms in force in `language`, else the French ones (French is the reference, CRPA L.111-1)."""
    in_force = TermsVersion.objects.filter(
        language__in={language, settings.LANGUAGE_CODE}, published_at__lte=timezone.now()
    )
    preferred = Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
    return in_force.order_by(preferred, "-version").values("pk", "version", "summary")[:1]


def _load(slug: str, language: str) -> PortalPage | None:
    terms = current_terms(language)
    hours = (
        OpeningPeriod.objects.filter(mds=OuterRef("site__mds"))
        .order_by()
        .values("mds")
        .annotate(
            joined=StringAgg(
                Concat(Cast("weekday", CharField()), Value("|"), Cast("opens", CharField()), Value("|"),
                       Cast("closes", CharField())),
                delimiter=Value(";"),
            )
        )
        .values("joined")
    )  # fmt: skip
    services = (
        Service.objects.filter(mds=OuterRef("site__mds"))
        .order_by()
        .values("mds")
        .annotate(joined=StringAgg("name", delimiter=Value(";")))
        .values("joined")
    )
    # The MDS's next sessions ride on the portal's query (an uncached splash still costs three). Changed sessions
    # make the pages stale (captive_portal.apps); one begun shows until the page expires (PAGE_TTL).
    workshops = (
        sessions_open()
        .filter(workshop__mds=OuterRef("site__mds"))
        .order_by("starts_at", "pk")
        .values(json=JSONObject(id="pk", title="workshop__title", starts_at="starts_at", site_name="site__name"))
    )[:WORKSHOPS_SHOWN]
    portal = (
        SitePortal.objects.filter(site__slug=slug, enabled=True)
        .select_related("site__mds")
        .annotate(
            terms_id=Subquery(terms.values("pk")), terms_version=Subquery(terms.values("version")),
            terms_summary=Subquery(terms.values("summary")), terms_language=Subquery(terms.values("language")),
            hours_joined=Subquery(hours),
            services_joined=Subquery(services),
            workshops_json=ArraySubquery(workshops),
        )
        .first()
    )  # fmt: skip
    if portal is None:
        return None
    site, mds = portal.site, portal.site.mds
    # Blocks in the visitor's language; where there are none yet, the French ones rather than nothing.
    candidates = list(
        ContentBlock.objects.live(site=site, languages=[language, settings.LANGUAGE_CODE]).prefetch_related("links")
    )
    blocks = [b for b in candidates if b.language == language] or [
        b for b in candidates if b.language == settings.LANGUAGE_CODE
    ]
    # A site not named yet (Durance Alpilles' three) shows the public its MDS's name, not the back-office's
    # "to be named".
    return PortalPage(
        portal_id=portal.pk, site_id=site.pk, site_slug=site.slug, site_name=site.name or mds.name, mds_name=mds.name,
        mds_slug=mds.slug, street=site.street, postal_code=site.postal_code, commune=site.commune or mds.commune,
        phone=mds.phone,
        hours=sorted((int(d), o[:5], c[:5]) for d, o, c in (h.split("|") for h in _split(portal.hours_joined, ";"))),
        services=sorted(_split(portal.services_joined, ";")), gateway_kind=portal.gateway_kind,
        gateway_options=portal.gateway_options, session_minutes=portal.session_minutes,
        idle_timeout_minutes=portal.idle_timeout_minutes, upload_kbps=portal.upload_kbps,
        download_kbps=portal.download_kbps, terms_id=portal.terms_id, terms_version=portal.terms_version,
        terms_summary=portal.terms_summary or "", terms_language=portal.terms_language or settings.LANGUAGE_CODE,
        blocks=[
            Block(kind=b.kind, language=b.language, title=b.title, body=b.body,
                  image_url=b.image.url if b.image else "", image_alt=b.image_alt,
                  links=[Link(id=link.pk, label=link.label) for link in b.links.all()])
            for b in blocks
        ],
        workshops=[
            UpcomingSession(id=w["id"], title=w["title"], starts_at=dt.datetime.fromisoformat(w["starts_at"]),
                            site_name=w["site_name"] or mds.name)
            for w in portal.workshops_json
        ],
    )  # fmt: skip
