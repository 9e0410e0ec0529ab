"""Supporting documents (invoices, contracts, publicity evidence), kept unchanged until the operation's date.

A document's SHA-256 is recorded when it is uploaded: an audit can prove the file it reads is the one filed.
The file lives in the private storage (never under MEDIA_URL) and is served by a view that checks the role.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def document_path(instance: "Document", filename: str) -> str:
    return f"funding/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CONTRACT = "contract", _("Contract")
    ORDER = "order", _("Purchase order")
    PUBLICITY = "publicity", _("Publicity evidence")
    CLAIM = "claim", _("Payment claim")
    OTHER = "other", _("Other")


class Document(models.Model):
    operation = models.ForeignKey("funding.Operation", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    kept_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    # What the hash proves: none of it changes once filed (a corrected file is a new Document).
    IMMUTABLE_FIELDS = ("operation_id", "file", "original_name", "content_type", "size", "sha256")

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            filed = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if filed is not None and any(
                str(filed[name] or "") != str(getattr(self, name) or "") for name in self.IMMUTABLE_FIELDS
            ):
                raise ValidationError(
                    _("A filed document cannot be replaced: upload the new file as a new document."),
                    code="document_immutable",
                )
        super().save(*args, **kwargs)

    def intact(self) -> bool:
        """Whether the stored file still hashes to what was recorded at upload."""
        digest = hashlib.sha256()
        with self.file.open("rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 16), b""):
                digest.update(chunk)
        return digest.hexdigest() == self.sha256
