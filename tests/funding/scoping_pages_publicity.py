"""The FEDER publicity pages for the project-wide scoping test (tests/test_backoffice_scoping.py): département-wide
roles only; an agent of one MDS gets 403 on the checklist, 404 on an obligation's upload page and on a file."""

from django.conf import settings

from funding.models import Document, PublicityRequirement
from funding.operations import operation_load
from tests.funding.factories import PublicityEvidenceFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    """The operation (loaded once, safe to load again) and a photo of the A3 poster in the MDS."""
    operation_load(path=settings.FEDER_OPERATION_FILE)
    poster = PublicityRequirement.objects.get(operation__reference="mds-connectees", code="poster-a3")
    # The file is named, never written: no page of the scoping test opens it (and no temporary storage here).
    document = Document.objects.create(
        operation=poster.operation, kind="publicity", file=f"funding/00/{mds.slug}/affiche.jpg",
        original_name=f"affiche-{mds.slug}.jpg", content_type="image/jpeg", size=1, sha256="0" * 64,
    )  # fmt: skip
    evidence = PublicityEvidenceFactory(requirement=poster, mds=mds, document=document, note=f"Affiche {mds.name}")
    return {"mds": mds, "requirement": poster, "evidence": evidence}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "funding_publicity:evidence_add": lambda objects: {"pk": objects["requirement"].pk},
        "funding_publicity:evidence_file": lambda objects: {"pk": objects["evidence"].pk},
    },
    departement_wide_pages=["funding_publicity:checklist"],
)
