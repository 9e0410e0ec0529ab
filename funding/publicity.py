"""Publicity obligations (Regulation (EU) 1303/2013 Annex XII §2.2, Implementing Regulation (EU) 821/2014 art. 4):
the EU mention on the public pages, the checklist with its dated evidence, and the photos and screenshots filed
as that evidence.

Every file of evidence is a `Document` (private storage, SHA-256 recorded at upload, kept until the operation's
date); reading one is recorded (`evidence_file_read`).
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.public_mentions import Mention
from funding.models import (
    Document,
    DocumentKind,
    FinancerKind,
    Operation,
    PublicityEvidence,
    PublicityRequirement,
)
from sites.audit import acting_as, record_access
from sites.models import Agent, Mds, Site

# --- The EU mention on the public pages ------------------------------------------------------------------------

MENTION_TEMPLATE = "funding/public/eu_emblem.html"
MENTION_CACHE_KEY = "funding:public-mention"
# Changes of the co-financing plan delete the key (funding.apps); the timeout only bounds a deletion lost while
# Redis was unreachable.
MENTION_CACHE_TTL = 60 * 60


def eu_mention() -> Mention | None:
    """The EU emblem with "Union européenne" and the fund's name, on every public page, when the EU co-funds the
    service: some operation has a FEDER line in its co-financing plan. Another département running the platform
    without FEDER shows nothing. One query on a cold cache, none after."""
    funded = cache.get(MENTION_CACHE_KEY)
    if funded is None:
        funded = Operation.objects.filter(financers__kind=FinancerKind.FEDER).exists()
        cache.set(MENTION_CACHE_KEY, funded, timeout=MENTION_CACHE_TTL)
    return Mention(template=MENTION_TEMPLATE) if funded else None


def mention_changed(**_kwargs: object) -> None:
    """A co-financing plan changed: the public pages ask again, and the portal's pre-rendered pages are redrawn."""
    from captive_portal.selectors import content_changed

    cache.delete(MENTION_CACHE_KEY)
    content_changed()


# --- The checklist ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MdsStatus:
    """One MDS's line of a per-MDS obligation (the A3 poster): its latest evidence, if any."""

    mds: Mds
    evidence: PublicityEvidence | None

    @property
    def done(self) -> bool:
        return self.evidence is not None


@dataclass(frozen=True)
class RequirementStatus:
    requirement: PublicityRequirement
    evidence: list[PublicityEvidence]  # newest first
    per_mds: list[MdsStatus]  # every MDS, in the operation sheet's order, for a per-MDS obligation; else empty

    @property
    def done(self) -> bool:
        if self.requirement.per_mds:  # no MDS loaded yet: no poster is up anywhere, not "all of none"
            return bool(self.per_mds) and all(line.done for line in self.per_mds)
        return bool(self.evidence)

    @property
    def mds_done(self) -> int:
        return sum(1 for line in self.per_mds if line.done)

    @property
    def latest(self) -> PublicityEvidence | None:
        return self.evidence[0] if self.evidence else None


def publicity_checklist(*, operation: Operation) -> list[RequirementStatus]:
    """Each obligation with its evidence, newest first (who recorded it, the file); for a per-MDS obligation every
    MDS with its latest evidence. Three queries, whatever the number of obligations, MDS and evidence."""
    evidence = PublicityEvidence.objects.select_related("document", "recorded_by", "mds", "site__mds").order_by(
        "-observed_on", "-recorded_at", "-pk"
    )
    requirements = list(
        operation.publicity_requirements.order_by("position").prefetch_related(Prefetch("evidence", queryset=evidence))
    )
    every_mds = list(Mds.objects.order_by("number")) if any(r.per_mds for r in requirements) else []
    statuses = []
    for requirement in requirements:
        filed = list(requirement.evidence.all())
        per_mds = []
        if requirement.per_mds:
            latest: dict[int, PublicityEvidence] = {}
            for item in filed:  # newest first: the first seen for an MDS is its latest
                if item.mds_id is not None:
                    latest.setdefault(item.mds_id, item)
            per_mds = [MdsStatus(mds=mds, evidence=latest.get(mds.pk)) for mds in every_mds]
        statuses.append(RequirementStatus(requirement=requirement, evidence=filed, per_mds=per_mds))
    return statuses


# --- Files -----------------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 10 * 1024 * 1024  # a phone's photo; larger is refused before Pillow reads it
PHOTO_MAX_PIXELS = 40_000_000  # about 7,700 × 5,200: larger than any phone's camera, and bounded memory
# What the first bytes of the file must be: the name and the browser's content type prove nothing.
MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class PreparedFile:
    content: bytes
    content_type: str
    extension: str


def photo_prepare(upload) -> PreparedFile:
    """A photo of a poster as filed: a JPEG or PNG (by its magic bytes), re-encoded by Pillow with no metadata at
    all — a phone's EXIF holds the GPS position and the device —, turned upright first."""
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("This file weighs %(size)s MB; the limit is 10 MB. Send a smaller photo.")
            % {"size": f"{size / 1024 / 1024:.1f}"},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    kind = next((name for magic, name in MAGIC.items() if head.startswith(magic)), None)
    if kind is None:
        raise ValidationError(_("Send a photo in JPEG or PNG format."), code="not_jpeg_or_png")
    upload.seek(0)
    try:
        with Image.open(upload, formats=[kind]) as original:
            if original.width * original.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("This photo has too many pixels. Send a smaller one."), code="too_many_pixels")
            original.load()
            picture = ImageOps.exif_transpose(original)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not a photo we can read. Send a JPEG or PNG."), code="unreadable"
        ) from exc
    buffer = io.BytesIO()
    if kind == "JPEG":
        # No exif= nor icc_profile= argument: Pillow writes no metadata at all.
        picture.convert("RGB").save(buffer, "JPEG", quality=90, optimize=True)
        return PreparedFile(buffer.getvalue(), CONTENT_TYPES["JPEG"], "jpg")
    if picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        picture = picture.convert("RGBA")
    picture.save(buffer, "PNG", optimize=True)  # only the pixels: no text chunks, no eXIf
    return PreparedFile(buffer.getvalue(), CONTENT_TYPES["PNG"], "png")


def _document_file(
    *, operation: Operation, kind: str, content: bytes, name: str, content_type: str, actor: Agent | None
) -> Document:
    """File `content` as a supporting document: hashed (SHA-256) before it is stored, kept until the operation's
    date. (A small private helper: the shared funding.documents service is not on main yet.)"""
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        operation=operation, kind=kind, original_name=name, content_type=content_type, size=len(content),
        sha256=digest, uploaded_by=actor, kept_until=operation.documents_kept_until,
    )  # fmt: skip
    document.file.save(name, ContentFile(content), save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)  # no row names it: it would be an orphan nobody finds
        raise
    return document


def _check_target(requirement: PublicityRequirement, mds: Mds | None, site: Site | None) -> None:
    if requirement.per_mds and mds is None:
        raise ValidationError({"mds": _("This obligation is checked in each MDS: choose the MDS.")}, code="mds")
    if not requirement.per_mds and mds is not None:
        raise ValidationError({"mds": _("This obligation is not checked MDS by MDS.")}, code="no_mds")
    if site is not None and mds is not None and site.mds_id != mds.pk:
        raise ValidationError({"site": _("This site is not one of this MDS's.")}, code="site_mds")


@transaction.atomic
def evidence_record(
    *,
    actor: Agent,
    requirement: PublicityRequirement,
    observed_on: date,
    upload,
    mds: Mds | None = None,
    note: str = "",
) -> PublicityEvidence:
    """A photo uploaded as evidence of `requirement` (in `mds` for a per-MDS one), observed on `observed_on`."""
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("The observation date cannot be in the future.")}, code="future")
    _check_target(requirement, mds, None)
    photo = photo_prepare(upload)
    with acting_as(actor):
        document = _document_file(
            operation=requirement.operation, kind=DocumentKind.PUBLICITY, content=photo.content,
            name=f"{requirement.code}-{mds.slug + '-' if mds else ''}{observed_on:%Y-%m-%d}.{photo.extension}",
            content_type=photo.content_type, actor=actor,
        )  # fmt: skip
        evidence = PublicityEvidence(
            requirement=requirement, mds=mds, observed_on=observed_on, document=document, note=note,
            recorded_by=actor,
        )  # fmt: skip
        evidence.full_clean()
        evidence.save()
    return evidence


@transaction.atomic
def evidence_screenshot_file(
    *, requirement: PublicityRequirement, site: Site, png: bytes, taken_at, note: str = ""
) -> PublicityEvidence:
    """A screenshot the platform took (publicity_evidence) filed as automatic evidence of `requirement` for `site`."""
    observed_on = timezone.localdate(taken_at)
    document = _document_file(
        operation=requirement.operation, kind=DocumentKind.PUBLICITY, content=png,
        name=f"{requirement.code}-{site.slug}-{timezone.localtime(taken_at):%Y-%m-%d-%H%M}.png",
        content_type="image/png", actor=None,
    )  # fmt: skip
    evidence = PublicityEvidence(
        requirement=requirement, mds=site.mds if requirement.per_mds else None, site=site, observed_on=observed_on,
        document=document, note=note[:300], automatic=True,
    )  # fmt: skip
    evidence.full_clean()
    evidence.save()
    return evidence


def evidence_file_read(*, actor: Agent, evidence: PublicityEvidence) -> Document:
    """The evidence's file, its reading recorded (who, when) in the audit trail."""
    record_access(actor=actor, instance=evidence.document, reason=f"publicity evidence {evidence.pk}")
    return evidence.document
