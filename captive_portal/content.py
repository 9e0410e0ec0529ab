"""Value-added content of the portal: who may edit which block, the write paths, images, clicks, walled garden.

The portal's cached pages follow every write here on their own: `captive_portal.apps` connects the
blocks, links and their sites to `selectors.content_changed`.
"""

import io
import ipaddress
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from captive_portal.models import (
    ContentBlock,
    ContentClickDaily,
    ContentKind,
    ContentLink,
    LoadedDefault,
    TermsVersion,
    WalledGardenDomain,
)
from sites.audit import acting_as, audited_delete, audited_save
from sites.models import Agent, Site

# --- Who may do what -------------------------------------------------------------------------------


class _AllSites:
    """Stands for "every site" in object-permission checks.

    It belongs to no MDS (`mds_id` is None, read through `mds_path` as on a site), so
    `sites.backends.MembershipBackend` only counts the roles held département-wide: a per-MDS agent
    never writes what every site shows.
    """

    mds_path = "mds"
    mds_id = None

    def __str__(self):
        return "all sites"


ALL_SITES = _AllSites()


def may(agent, permission: str, sites: Iterable[Site]) -> bool:
    """`permission` on every one of `sites`, or on every site of the département when there are none."""
    sites = list(sites)
    if not sites:
        return agent.has_perm(permission, ALL_SITES)
    return all(agent.has_perm(permission, site) for site in sites)


def may_view(agent, permission: str, sites: Iterable[Site]) -> bool:
    """Reading needs the permission on one of the targets only (or any role's, for every-site content)."""
    sites = list(sites)
    if not sites:
        return agent.has_perm(permission)
    return any(agent.has_perm(permission, site) for site in sites)


class Period:
    CURRENT = "current"
    UPCOMING = "upcoming"
    PAST = "past"


def blocks_for_site(blocks: QuerySet[ContentBlock], site: Site) -> QuerySet[ContentBlock]:
    """The blocks shown on `site`: those aimed at it and those for every site (no site of their own)."""
    targets = ContentBlock.sites.through.objects.filter(contentblock=OuterRef("pk"))
    return blocks.filter(Exists(targets.filter(site=site)) | ~Exists(targets))


def blocks_in_period(blocks: QuerySet[ContentBlock], period: str, on: date | None = None) -> QuerySet[ContentBlock]:
    """Shown on `on` (today by default), not yet, or no more."""
    on = on or timezone.localdate()
    if period == Period.CURRENT:
        return blocks.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=on)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )
    if period == Period.UPCOMING:
        return blocks.filter(starts_on__gt=on)
    if period == Period.PAST:
        return blocks.filter(ends_on__lt=on)
    return blocks


# --- Images ----------------------------------------------------------------------------------------

IMAGE_MAX_UPLOAD = 5 * 1024 * 1024  # what an agent's phone photo weighs at most; bigger is refused
IMAGE_MAX_WIDTH = 800  # px: twice a cheap phone's CSS width, sharp enough, small enough
IMAGE_TARGET_BYTES = 60 * 1024  # the whole splash must stay under 50 KB plus its images: keep each small


def image_check_size(upload) -> None:
    if getattr(upload, "size", None) is not None and upload.size > IMAGE_MAX_UPLOAD:
        raise ValidationError(
            _("This image weighs %(size)s MB; the limit is 5 MB. Send a smaller picture.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}"},
            code="too_large",
        )


def image_prepare(upload) -> ContentFile:
    """A visitor-sized JPEG of an uploaded picture: at most 800 px wide, about 60 KB, no metadata.

    EXIF is dropped (it can hold the place and time a photo was taken, and the phone that took it),
    after its orientation is applied so the picture stays upright. JPEG rather than WebP: the oldest
    captive-network mini-browsers still in use (iOS 13 and earlier) do not show WebP.
    """
    image_check_size(upload)
    try:
        upload.seek(0)
        with Image.open(upload) as original:
            original.load()
            picture = ImageOps.exif_transpose(original)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not a picture we can read. Send a JPEG, PNG or WebP image."), code="not_an_image"
        ) from exc
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    else:
        picture = picture.convert("RGB")
    if picture.width > IMAGE_MAX_WIDTH:
        picture = picture.resize(
            (IMAGE_MAX_WIDTH, max(1, round(picture.height * IMAGE_MAX_WIDTH / picture.width))), Image.Resampling.LANCZOS
        )
    data = _jpeg_under_target(picture)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.jpg")


def _jpeg_under_target(picture: Image.Image) -> bytes:
    while True:
        for quality in (82, 72, 62, 52, 42):
            buffer = io.BytesIO()
            # No exif= nor icc_profile= argument: Pillow writes no metadata at all.
            picture.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
            if buffer.tell() <= IMAGE_TARGET_BYTES:
                return buffer.getvalue()
        if picture.width <= 200:
            return buffer.getvalue()
        smaller = (int(picture.width * 0.8), max(1, int(picture.height * 0.8)))
        picture = picture.resize(smaller, Image.Resampling.LANCZOS)


# --- Blocks and their links -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkInput:
    label: str
    url: str
    id: int | None = None  # an existing link keeps its id, hence its click counts


def _delete_file_after_commit(name: str) -> None:
    if name:
        storage = ContentBlock._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def block_save(
    *, actor: Agent | None, block: ContentBlock, sites: Iterable[Site], links: Sequence[LinkInput]
) -> ContentBlock:
    """Create or update a block with its target sites (none: every site) and its links, in order.

    Links keep their id when they are kept, so their click statistics stay; removed links go. A
    replaced or cleared image file is deleted once the transaction has committed. The back-office page,
    the admin and the default-content loader (no actor) all save blocks here.
    """
    with acting_as(actor):
        return _block_save(block=block, sites=sites, links=links)


def _block_save(*, block: ContentBlock, sites: Iterable[Site], links: Sequence[LinkInput]) -> ContentBlock:
    previous = ""
    if block.pk:
        previous = ContentBlock.objects.filter(pk=block.pk).values_list("image", flat=True).first() or ""
    block.full_clean(exclude=["sites"])
    block.save()
    if previous and previous != block.image.name:
        _delete_file_after_commit(previous)
    block.sites.set(list(sites))
    existing = {link.pk: link for link in block.links.all()}
    kept = set()
    for position, item in enumerate(links, start=1):
        if not is_http_url(item.url):  # never javascript:, data: or the like behind a portal link
            raise ValidationError({"url": _("Only http:// and https:// addresses can be linked.")})
        link = existing.get(item.id) if item.id else None
        if link is None:
            link = ContentLink(block=block)
        link.label, link.url, link.order = item.label, item.url, position * 10
        link.full_clean()
        link.save()
        kept.add(link.pk)
    gone = [pk for pk in existing if pk not in kept]
    if gone:
        ContentLink.objects.filter(pk__in=gone).delete()
    return block


@transaction.atomic
def block_delete(*, actor: Agent, block: ContentBlock) -> None:
    """Delete a block and its links; its image file goes once the transaction has committed."""
    image = block.image.name
    with acting_as(actor):
        block.delete()
    _delete_file_after_commit(image)


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


# --- Clicks ----------------------------------------------------------------------------------------


def click_count(*, link_id: int, site_id: int) -> None:
    day = timezone.localdate()
    rows = ContentClickDaily.objects.filter(link_id=link_id, site_id=site_id, day=day)
    if rows.update(clicks=F("clicks") + 1):
        return
    try:
        with transaction.atomic():
            ContentClickDaily.objects.create(link_id=link_id, site_id=site_id, day=day, clicks=1)
    except IntegrityError:  # created meanwhile by a concurrent click
        rows.update(clicks=F("clicks") + 1)


# --- Walled garden ---------------------------------------------------------------------------------


def domain_normalise(value: str) -> str:
    """A walled-garden entry as gateways want it: a lowercase ASCII (IDNA) host name, or "*." and one.

    Refused: schemes, paths, ports, IP addresses (gateways resolve names; an address changes
    without notice), single labels, and wildcards anywhere but a leading "*.". The wildcard means
    "this domain and all its subdomains".
    """
    text = value.strip().rstrip(".").lower()
    if not text:
        raise ValidationError(_("Enter a domain name."), code="empty")
    if "://" in text or text.startswith(("http:", "https:")):
        raise ValidationError(_("Enter the domain only, without “https://”: e.g. www.caf.fr."), code="scheme")
    if any(char in text for char in "/?#@ \t"):
        raise ValidationError(_("Enter the domain only, without a path or spaces: e.g. www.caf.fr."), code="path")
    if ":" in text:
        try:
            ipaddress.ip_address(text)
        except ValueError:
            raise ValidationError(_("Enter the domain without a port number."), code="port") from None
    wildcard = text.startswith("*.")
    host = text[2:] if wildcard else text
    if "*" in host:
        raise ValidationError(_("A “*” is only allowed at the start, as in *.example.fr."), code="wildcard")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise ValidationError(_("Enter a domain name, not an IP address."), code="ip")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValidationError(_("“%(value)s” is not a valid domain name.") % {"value": value}, code="invalid") from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or len(ascii_host) > 253:
        raise ValidationError(
            _("“%(value)s” is not a complete domain name (e.g. www.caf.fr).") % {"value": value}, code="incomplete"
        )
    return f"*.{ascii_host}" if wildcard else ascii_host


@transaction.atomic
def garden_domain_save(*, actor: Agent, domain: WalledGardenDomain) -> WalledGardenDomain:
    """Open a domain before acceptance at its site (no site: every site), or save one changed in place.

    Written as gateways want it (`domain_normalise`), and once per site: checked against the unique
    constraints here, whoever calls."""
    domain.domain = domain_normalise(domain.domain)
    return audited_save(domain, actor=actor)


@transaction.atomic
def garden_domain_remove(*, actor: Agent, domain: WalledGardenDomain) -> None:
    audited_delete(domain, actor=actor)


def portal_host() -> str:
    """The portal's own host name: the phone must reach it before accepting."""
    return (urlsplit(settings.PORTAL_BASE_URL).hostname or "").lower()


def walled_garden(site: Site) -> list[str]:
    """The domains reachable before acceptance at `site`: the portal's own, the site's and every site's."""
    domains = WalledGardenDomain.objects.filter(Q(site=site) | Q(site__isnull=True)).values_list("domain", flat=True)
    host = portal_host()
    return sorted(set(domains) | ({host} if host else set()), key=lambda d: (d.lstrip("*."), d))


GARDEN_PORTS = ("443",)  # HTTPS only: a walled-garden host on port 80 breaks captive-portal detection


def garden_config(domains: Sequence[str], fmt: str) -> str:
    """The gateway configuration for `domains`, in one of the formats of the walled_garden command."""
    if fmt == "plain":
        return "".join(f"{domain}\n" for domain in domains)
    if fmt == "opennds":
        # openNDS ≥ 9 "autonomous walled garden" (docs/source/walledgarden.rst): dnsmasq-full fills a
        # set with the addresses of each FQDN and its subdomains, so "*." adds nothing there. Port
        # 80 stays out: a walled-garden host on 80 makes the phones' captive-portal detection fail.
        fqdns = sorted({domain.removeprefix("*.") for domain in domains})
        return (
            "# /etc/config/opennds, in the `config opennds` section (needs dnsmasq-full and ipset/nftset).\n"
            "# Or: uci add_list opennds.@opennds[0].walledgarden_fqdn_list='…'; uci commit opennds\n"
            f"\tlist walledgarden_fqdn_list '{' '.join(fqdns)}'\n"
            f"\tlist walledgarden_port_list '{' '.join(GARDEN_PORTS)}'\n"
        )
    if fmt == "coovachilli":
        # uamallowed: names resolved when chilli starts; uamdomain: any host ending with the suffix,
        # checked on the DNS answers, which follows CDNs whose addresses move.
        exact = [d for d in domains if not d.startswith("*.")]
        suffixes = [d[1:] for d in domains if d.startswith("*.")]
        lines = ["# chilli.conf (or HS_UAMALLOW / HS_UAMDOMAINS in /etc/chilli/config)\n"]
        if exact:
            lines.append(f"uamallowed={','.join(exact)}\n")
        lines += [f"uamdomain={suffix}\n" for suffix in suffixes]
        return "".join(lines)
    raise ValueError(f"unknown format {fmt!r}")


GARDEN_FORMATS = ("opennds", "coovachilli", "plain")


# --- Default content -------------------------------------------------------------------------------


class ContentDataError(Exception):
    pass


@dataclass
class ContentLoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: int = 0


@transaction.atomic
def portal_content_load(*, path: Path) -> ContentLoadReport:
    """Load the default terms of use and every-site blocks. Safe to run again: it never rewrites nor revives.

    Terms are known by language and version and never changed: a change is a new version. A block is
    known by its `key` (its title when the file has none) and language, and loaded once: the run that
    loads it remembers it (LoadedDefault), so that later runs leave it to the agents, renamed, edited,
    stripped of a link or deleted. A block of the same title already there (loaded before keys existed)
    counts as loaded.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContentDataError(f"{path}: {exc}") from exc
    try:
        return _load_data(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ContentDataError(f"{path}: malformed entry ({exc!r})") from exc


def _load_data(data: dict) -> ContentLoadReport:
    languages = dict(settings.PORTAL_LANGUAGES)
    report = ContentLoadReport()
    for item in data.get("terms", []):
        if item["language"] not in languages:
            raise ContentDataError(f"terms: unknown language {item['language']!r}")
        _terms, created = TermsVersion.objects.get_or_create(
            language=item["language"], version=item["version"],
            defaults={"summary": item["summary"].strip(), "full_text": item["full_text"].strip()},
        )  # fmt: skip
        if created:
            report.created.append(f"terms {item['language']} v{item['version']}")
        else:
            report.unchanged += 1
    every_site = ~Exists(ContentBlock.sites.through.objects.filter(contentblock=OuterRef("pk")))
    seen = set()
    for item in data.get("blocks", []):
        language, title = item["language"], item["title"]
        if language not in languages or item["kind"] not in ContentKind.values:
            raise ContentDataError(f"block {title!r}: unknown language or kind")
        key = item.get("key") or title
        if (key, language) in seen:
            raise ContentDataError(f"block {key!r}: twice in {language!r}")
        seen.add((key, language))
        if LoadedDefault.objects.filter(key=key, language=language).exists():
            report.unchanged += 1
            continue
        if ContentBlock.objects.filter(every_site, language=language, title=title).exists():
            report.unchanged += 1
        else:
            block = ContentBlock(
                kind=item["kind"], language=language, title=title, body=item.get("body", "").strip(),
                order=item.get("order", 100),
            )  # fmt: skip
            links = [LinkInput(label=link["label"], url=link["url"]) for link in item.get("links", [])]
            block_save(actor=None, block=block, sites=[], links=links)
            report.created.append(f"block {language} “{title}”")
        LoadedDefault.objects.create(key=key, language=language)
    return report
