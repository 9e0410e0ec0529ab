"""Filing a supporting document (an invoice's PDF, a contract, a publicity photo) and reading it back.

A document is filed once and never changes: its SHA-256 is computed from the bytes received, before they are
stored, so that an audit years later can prove the file it reads is the one filed (`Document.intact()`). A
corrected invoice is a new upload, hence a new Document; the old one stays until the operation's retention date
(art. 140 of Regulation (EU) 1303/2013), and is never deleted while that date is unknown.

Other areas (publicity evidence) file theirs through `document_file` too, with the content types they accept.
"""

import datetime
import hashlib
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from funding.models import Document, DocumentKind, Operation
from sites.audit import acting_as, audited_delete, record_access
from sites.models import Agent

PDF = "application/pdf"
# What a file really is, by its first bytes (its name and the browser's content type are only claims).
MAGIC = {
    PDF: (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_SIZE = 10 * 1024 * 1024  # 10 MB: a scanned invoice of a few pages; more is a scan to redo, not to keep


def sniffed_type(head: bytes, accepted: Collection[str]) -> str | None:
    """The content type among `accepted` whose signature `head` starts with, or None."""
    for content_type in accepted:
        if any(head.startswith(signature) for signature in MAGIC[content_type]):
            return content_type
    return None


def check_upload(uploaded_file: UploadedFile, *, accepted: Collection[str] = (PDF,)) -> str:
    """The file's real content type; a ValidationError (in French) when it is too big or not of an accepted type."""
    if uploaded_file.size is None or uploaded_file.size == 0:
        raise ValidationError(_("The file is empty."), code="document_empty")
    if uploaded_file.size > MAX_SIZE:
        raise ValidationError(
            _("The file is too big (%(size)s MB): at most %(max)s MB.")
            % {"size": round(uploaded_file.size / 1024 / 1024, 1), "max": MAX_SIZE // 1024 // 1024},
            code="document_too_big",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    content_type = sniffed_type(head, accepted)
    if content_type is None:
        if tuple(accepted) == (PDF,):
            message = _("This file is not a PDF. Scan or export the document as PDF, then upload it again.")
        else:
            message = _("This kind of file is not accepted.")
        raise ValidationError(message, code="document_type")
    return content_type


@transaction.atomic
def document_file(
    operation: Operation,
    uploaded_file: UploadedFile,
    kind: DocumentKind | str,
    actor: Agent | None,
    *,
    accepted: Collection[str] = (PDF,),
) -> Document:
    """File `uploaded_file` as a new supporting document of `operation`: type checked by its first bytes, size
    bounded, SHA-256 of the bytes received recorded, stored in the private storage, kept until the operation's date.
    """
    content_type = check_upload(uploaded_file, accepted=accepted)
    size = uploaded_file.size or 0  # checked above: not empty
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    name = (uploaded_file.name or "document").rsplit("/", 1)[-1][-200:]
    document = Document(
        operation=operation,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        kept_until=operation.documents_kept_until,
    )
    with acting_as(actor):
        document.file.save(name, uploaded_file, save=False)
        document.save()
    return document


def document_read(*, document: Document, actor: Agent) -> Document:
    """Record that `actor` opened the document (the download view streams it afterwards)."""
    record_access(actor=actor, instance=document)
    return document


@transaction.atomic
def document_delete(*, document: Document, actor: Agent, today: datetime.date | None = None) -> None:
    """Delete a supporting document whose retention date has passed; refused before it, and when it is unknown."""
    today = today or timezone.localdate()
    if document.kept_until is None:
        raise ValidationError(
            _("This document has no retention date yet: it is kept, and cannot be deleted."), code="document_kept"
        )
    if today <= document.kept_until:
        raise ValidationError(
            _("This document must be kept until %(date)s: it cannot be deleted before.")
            % {"date": date_format(document.kept_until)},
            code="document_kept",
        )
    stored = document.file.name
    storage = document.file.storage
    audited_delete(document, actor=actor)
    if stored:  # the file goes once the row is gone for good (a rolled-back deletion keeps both)
        transaction.on_commit(lambda: storage.delete(stored))
