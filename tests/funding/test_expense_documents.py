"""Supporting documents: filed once (PDF by its first bytes, 10 MB at most, SHA-256 of what was received), never
replaced, kept until the operation's date, read by funding roles only and every read in the audit trail."""

import datetime
import hashlib

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding import documents
from funding.models import Document, DocumentKind
from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.funding.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def upload(content: bytes = PDF, name: str = "facture-2021-042.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_filed_pdf_keeps_its_hash_size_type_and_retention_date_in_the_private_storage(
    operation, private_storage, settings
):
    operation.documents_kept_until = datetime.date(2033, 12, 31)
    operation.save()
    finance = agent_with_role(Role.FINANCE)
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, finance)
    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.size, document.content_type, document.kind) == (len(PDF), "application/pdf", "invoice")
    assert document.kept_until == datetime.date(2033, 12, 31)
    assert document.uploaded_by == finance
    stored = private_storage / document.file.name
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert document.intact()


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name_and_declared_type(operation, private_storage):
    """A PNG named .pdf and sent as application/pdf: its first bytes say what it is."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(ValidationError) as refused:
        documents.document_file(operation, upload(png), DocumentKind.INVOICE, None)
    assert refused.value.code == "document_type"
    assert "n’est pas un PDF" in refused.value.messages[0]
    assert Document.objects.count() == 0
    assert not private_storage.exists() or not any(private_storage.rglob("*.pdf"))


def test_a_file_over_10_mb_and_an_empty_file_are_refused(operation, private_storage):
    big = PDF + b"0" * (documents.MAX_SIZE + 1 - len(PDF))
    with pytest.raises(ValidationError) as too_big:
        documents.document_file(operation, upload(big), DocumentKind.INVOICE, None)
    assert too_big.value.code == "document_too_big"
    with pytest.raises(ValidationError) as empty:
        documents.document_file(operation, upload(b""), DocumentKind.INVOICE, None)
    assert empty.value.code == "document_empty"
    assert Document.objects.count() == 0


def test_a_filed_document_cannot_have_its_file_replaced(operation, private_storage):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    document.file.save("autre.pdf", ContentFile(b"%PDF-1.4 other"), save=False)
    document.sha256 = hashlib.sha256(b"%PDF-1.4 other").hexdigest()
    with pytest.raises(ValidationError) as refused:
        document.save()
    assert refused.value.code == "document_immutable"
    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()


def test_its_retention_date_may_still_be_set_once_known(operation, private_storage):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    document.kept_until = datetime.date(2033, 12, 31)
    document.save()
    document.refresh_from_db()
    assert document.kept_until == datetime.date(2033, 12, 31)


def test_a_new_upload_is_a_new_document_and_the_first_one_stays(operation, private_storage, signed_in):
    finance = agent_with_role(Role.FINANCE)
    first = documents.document_file(operation, upload(), DocumentKind.INVOICE, finance)
    invoice = InvoiceFactory(document=first)
    from funding import expenses

    corrected = PDF + b"% corrected\n"
    expenses.invoice_save(actor=finance, invoice=invoice, document_upload=upload(corrected, "facture-corrigee.pdf"))
    invoice.refresh_from_db()
    assert invoice.document_id != first.pk
    assert invoice.document.sha256 == hashlib.sha256(corrected).hexdigest()
    first.refresh_from_db()
    assert first.intact() and (private_storage / first.file.name).read_bytes() == PDF


def test_deletion_is_refused_while_the_retention_date_is_unknown(operation, private_storage):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    assert document.kept_until is None
    with pytest.raises(ValidationError) as refused:
        documents.document_delete(document=document, actor=agent_with_role(Role.ADMIN), today=datetime.date(2099, 1, 1))
    assert "pas encore de date de conservation" in refused.value.messages[0]
    assert Document.objects.filter(pk=document.pk).exists()


def test_deletion_is_refused_until_the_retention_date_then_allowed(
    operation, private_storage, django_capture_on_commit_callbacks
):
    operation.documents_kept_until = datetime.date(2033, 12, 31)
    operation.save()
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    admin = agent_with_role(Role.ADMIN)
    with pytest.raises(ValidationError) as refused:
        documents.document_delete(document=document, actor=admin, today=datetime.date(2033, 12, 31))
    assert "jusqu’au 31 décembre 2033" in refused.value.messages[0]
    assert Document.objects.filter(pk=document.pk).exists()
    stored = private_storage / document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        documents.document_delete(document=document, actor=admin, today=datetime.date(2034, 1, 1))
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not stored.exists()


def test_finance_downloads_the_document_as_filed_and_the_read_is_audited(operation, private_storage, signed_in):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    finance = agent_with_role(Role.FINANCE)
    response = signed_in(finance).get(reverse("funding_expenses:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    access = LogEntry.objects.get_for_object(document).filter(action=LogEntry.Action.ACCESS)
    assert [entry.actor for entry in access] == [finance]


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def test_an_agent_of_one_mds_cannot_download_a_document_and_nothing_is_recorded(
    role, operation, private_storage, signed_in
):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    response = signed_in(agent_with_role(role, MdsFactory())).get(
        reverse("funding_expenses:document", args=[document.pk])
    )
    assert response.status_code == 404
    assert PDF not in response.content
    assert not LogEntry.objects.get_for_object(document).filter(action=LogEntry.Action.ACCESS).exists()


def test_a_departement_wide_role_without_funding_rights_is_refused(operation, private_storage, signed_in):
    """Ops see every MDS but hold no funding permission: 403, nothing read, nothing recorded."""
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("funding_expenses:document", args=[document.pk]))
    assert response.status_code == 403
    assert not LogEntry.objects.get_for_object(document).filter(action=LogEntry.Action.ACCESS).exists()


def test_the_invoice_page_says_whether_the_stored_file_still_has_its_hash(operation, private_storage, signed_in):
    document = documents.document_file(operation, upload(), DocumentKind.INVOICE, None)
    invoice = InvoiceFactory(document=document)
    client = signed_in(agent_with_role(Role.PROGRAMME))
    url = reverse("funding_expenses:invoice", args=[invoice.pk])
    assert "Empreinte vérifiée" in client.get(url).content.decode()
    (private_storage / document.file.name).write_bytes(PDF.replace(b"1.7", b"1.6"))  # altered behind our back
    page = client.get(url).content.decode()
    assert "ne correspond pas à l’empreinte" in page
    assert "Empreinte vérifiée" not in page
