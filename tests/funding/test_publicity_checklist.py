"""The publicity checklist (/backoffice/funding/publicity/): each obligation with its dated evidence, the A3 poster
MDS by MDS, a photo's upload (JPEG or PNG by its bytes, re-encoded without its metadata, hashed) and each file read
through a view that checks the role and records the reading."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from funding import publicity
from funding.models import Document, PublicityEvidence, PublicityRequirement
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.funding.factories import PublicityEvidenceFactory

pytestmark = pytest.mark.django_db

CHECKLIST = reverse("funding_publicity:checklist")


def _jpeg_with_gps(size=(80, 60), orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", size, (0, 51, 153))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (43.0, 17.0, 30.0)}
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (255, 221, 0, 255)).save(buffer, "PNG", pnginfo=_png_text("GPS", "43.29,5.37"))
    return buffer.getvalue()


def _png_text(key: str, value: str):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def _upload(content: bytes, name="affiche.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def poster(operation) -> PublicityRequirement:
    return operation.publicity_requirements.get(code="poster-a3")


@pytest.fixture
def programme():
    return agent_with_role(Role.PROGRAMME, first_name="Paule", last_name="Programme")


# --- Who may open the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROGRAMME, Role.ADMIN])
def test_finance_programme_and_admin_open_the_checklist(signed_in, operation, role):
    response = signed_in(agent_with_role(role)).get(CHECKLIST)
    assert response.status_code == 200
    assert "Publicité FEDER" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def test_an_agent_of_one_mds_gets_403(signed_in, operation, role):
    assert signed_in(agent_with_role(role, MdsFactory())).get(CHECKLIST).status_code == 403


def test_a_departement_wide_role_without_funding_rights_gets_403(signed_in, operation):
    assert signed_in(agent_with_role(Role.OPS)).get(CHECKLIST).status_code == 403


def test_a_per_mds_agent_holding_the_permission_by_mistake_is_still_refused(signed_in, operation):
    """Funding pages need a département-wide role, not only the permission: the check on the role is real."""
    from django.contrib.auth.models import Permission

    agent = agent_with_role(Role.MDS_MANAGER, MdsFactory())
    agent.user_permissions.add(Permission.objects.get(codename="view_publicityevidence"))
    assert agent.has_perm("funding.view_publicityevidence")
    assert signed_in(agent).get(CHECKLIST).status_code == 403


# --- The checklist ---------------------------------------------------------------------------------------------


def test_the_checklist_shows_each_obligation_and_the_poster_mds_by_mds(
    signed_in, operation, private_storage, programme
):
    first, second, third = (MdsFactory(name=name) for name in ("Pressensé", "Littoral", "Belle de Mai"))
    PublicityEvidenceFactory(mds=first, observed_on=date(2021, 9, 1))
    PublicityEvidenceFactory(mds=first, observed_on=date(2022, 3, 15))  # the latest is the one shown
    PublicityEvidenceFactory(mds=third, observed_on=date(2021, 10, 4))
    html = signed_in(programme).get(CHECKLIST).content.decode()
    for code in ("portal-emblem", "public-pages-emblem", "website-description", "poster-a3"):
        assert operation.publicity_requirements.get(code=code).label.replace("'", "&#x27;") in html
    table = html.split("Preuves dans chaque MDS", 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 3
    assert f"{first}" in rows[0] and "Fait" in rows[0] and "15/03/2022" in rows[0]
    assert f"{second}" in rows[1] and "Manquant" in rows[1] and f"?mds={second.pk}" in rows[1]
    assert f"{third}" in rows[2] and "04/10/2021" in rows[2]
    assert "2 MDS sur 3" in html
    assert "Obligations respectées\u00a0: 0 sur 4" in html


def test_the_checklist_says_when_no_operation_is_loaded(signed_in, programme):
    html = signed_in(programme).get(CHECKLIST).content.decode()
    assert "Aucune opération FEDER n’est chargée" in html


def test_the_checklist_costs_the_same_queries_for_many_mds_and_evidence(
    signed_in, operation, private_storage, programme, django_assert_num_queries
):
    client = signed_in(programme)
    PublicityEvidenceFactory()
    client.get(CHECKLIST)  # sessions, content types and permissions cached
    with django_assert_num_queries(10) as few:
        client.get(CHECKLIST)
    for _ in range(5):
        PublicityEvidenceFactory()
    PublicityEvidenceFactory(requirement=operation.publicity_requirements.get(code="portal-emblem"), mds=None)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(CHECKLIST)


# --- Uploading a photo -----------------------------------------------------------------------------------------


def test_a_photo_of_the_poster_is_filed_without_its_gps_position_and_hashed(
    signed_in, poster, private_storage, programme
):
    mds = MdsFactory(name="Arles")
    original = _jpeg_with_gps(size=(80, 60), orientation=6)
    response = signed_in(programme).post(
        reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}),
        {"mds": mds.pk, "observed_on": "2021-09-01", "photo": _upload(original), "note": "Hall d'entrée"},
    )
    assert response.status_code == 302
    evidence = PublicityEvidence.objects.get()
    assert (evidence.requirement, evidence.mds, evidence.observed_on, evidence.recorded_by, evidence.automatic) == (
        poster, mds, date(2021, 9, 1), programme, False,
    )  # fmt: skip
    assert evidence.note == "Hall d'entrée"
    document = evidence.document
    stored = document.file.open("rb").read()
    assert stored != original
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.format == "JPEG"
        assert not picture.getexif()
        assert picture.size == (60, 80)  # turned upright before the orientation tag went
    assert document.sha256 == hashlib.sha256(stored).hexdigest() and document.intact()
    assert (document.kind, document.content_type, document.size, document.uploaded_by) == (
        "publicity", "image/jpeg", len(stored), programme,
    )  # fmt: skip
    assert document.original_name == f"poster-a3-{mds.slug}-2021-09-01.jpg"
    assert str(private_storage) in document.file.path
    assert LogEntry.objects.get_for_object(evidence).get().actor == programme


def test_a_png_keeps_no_text_chunk(poster, private_storage, programme):
    evidence = publicity.evidence_record(
        actor=programme, requirement=poster, observed_on=date(2021, 9, 1), upload=_upload(_png(), "a.png", "image/png"),
        mds=MdsFactory(),
    )  # fmt: skip
    stored = evidence.document.file.open("rb").read()
    assert stored.startswith(b"\x89PNG") and b"43.29" not in stored and b"GPS" not in stored
    assert evidence.document.content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"GIF89a" + b"\x00" * 64, "affiche.jpg"),  # a GIF named .jpg
        (b"%PDF-1.4 une affiche", "affiche.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "affiche.jpg"),
        (b"\xff\xd8\xff" + b"not really a jpeg", "affiche.jpg"),  # the right magic, an unreadable file
    ],
    ids=["gif", "pdf", "svg", "broken-jpeg"],
)
def test_a_file_that_is_not_a_jpeg_or_png_is_refused_and_nothing_is_stored(
    signed_in, poster, private_storage, programme, content, name
):
    response = signed_in(programme).post(
        reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}),
        {"mds": MdsFactory().pk, "observed_on": "2021-09-01", "photo": _upload(content, name)},
    )
    assert response.status_code == 200
    assert "JPEG" in response.context["form"].errors["photo"][0]
    assert not PublicityEvidence.objects.exists() and not Document.objects.exists()
    assert not private_storage.exists() or not any(p.is_file() for p in private_storage.rglob("*"))


def test_a_photo_over_10_mb_is_refused_before_it_is_read(poster, private_storage, programme):
    upload = _upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        publicity.evidence_record(
            actor=programme, requirement=poster, observed_on=date(2021, 9, 1), upload=upload, mds=MdsFactory()
        )
    assert refused.value.code == "too_large"
    assert not Document.objects.exists()


def test_the_poster_needs_its_mds(signed_in, poster, private_storage, programme):
    response = signed_in(programme).post(
        reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}),
        {"observed_on": "2021-09-01", "photo": _upload(_jpeg_with_gps())},
    )
    assert response.status_code == 200 and "mds" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        publicity.evidence_record(
            actor=programme, requirement=poster, observed_on=date(2021, 9, 1), upload=_upload(_jpeg_with_gps())
        )
    assert "mds" in refused.value.message_dict
    assert not PublicityEvidence.objects.exists()


def test_an_obligation_of_the_whole_operation_takes_no_mds(operation, private_storage, programme):
    website = operation.publicity_requirements.get(code="website-description")
    with pytest.raises(ValidationError) as refused:
        publicity.evidence_record(
            actor=programme, requirement=website, observed_on=date(2021, 9, 1), upload=_upload(_jpeg_with_gps()),
            mds=MdsFactory(),
        )  # fmt: skip
    assert "mds" in refused.value.message_dict
    evidence = publicity.evidence_record(
        actor=programme, requirement=website, observed_on=date(2021, 9, 1), upload=_upload(_jpeg_with_gps())
    )
    assert evidence.mds is None


def test_an_observation_cannot_be_dated_in_the_future(signed_in, poster, private_storage, programme):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = signed_in(programme).post(
        reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}),
        {"mds": MdsFactory().pk, "observed_on": tomorrow.isoformat(), "photo": _upload(_jpeg_with_gps())},
    )
    assert response.status_code == 200 and "observed_on" in response.context["form"].errors
    assert not PublicityEvidence.objects.exists() and not Document.objects.exists()


def test_the_upload_form_preselects_the_mds_of_its_row(signed_in, poster, programme):
    mds = MdsFactory(name="Arles")
    html = (
        signed_in(programme)
        .get(reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}), {"mds": mds.pk})
        .content.decode()
    )
    assert f'<option value="{mds.pk}" selected>' in html


@pytest.mark.parametrize("role", [Role.OPS, Role.LEGAL_REQUISITION])
def test_uploading_needs_a_funding_role(signed_in, poster, private_storage, role):
    response = signed_in(agent_with_role(role)).post(
        reverse("funding_publicity:evidence_add", kwargs={"pk": poster.pk}),
        {"mds": MdsFactory().pk, "observed_on": "2021-09-01", "photo": _upload(_jpeg_with_gps())},
    )
    assert response.status_code == 403
    assert not PublicityEvidence.objects.exists()


# --- Reading a file --------------------------------------------------------------------------------------------


def test_reading_a_file_serves_it_and_records_who_read_it(signed_in, operation, private_storage):
    evidence = PublicityEvidenceFactory()
    finance = agent_with_role(Role.FINANCE)
    response = signed_in(finance).get(reverse("funding_publicity:evidence_file", kwargs={"pk": evidence.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff photo"
    assert response["Content-Type"] == "application/pdf"  # as filed by the factory's document
    reads = LogEntry.objects.get_for_object(evidence.document).filter(action=LogEntry.Action.ACCESS)
    assert [(entry.actor, entry.additional_data) for entry in reads] == [
        (finance, {"reason": f"publicity evidence {evidence.pk}"})
    ]


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION])
def test_an_agent_of_one_mds_cannot_read_a_file_even_of_their_own_mds(signed_in, operation, private_storage, role):
    mds = MdsFactory()
    evidence = PublicityEvidenceFactory(mds=mds)
    response = signed_in(agent_with_role(role, mds)).get(
        reverse("funding_publicity:evidence_file", kwargs={"pk": evidence.pk})
    )
    assert response.status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_ops_cannot_read_a_file(signed_in, operation, private_storage):
    evidence = PublicityEvidenceFactory()
    response = signed_in(agent_with_role(Role.OPS)).get(
        reverse("funding_publicity:evidence_file", kwargs={"pk": evidence.pk})
    )
    assert response.status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_an_automatic_screenshot_is_filed_for_its_site(operation, private_storage):
    site = SiteFactory(slug="arles")
    portal_emblem = operation.publicity_requirements.get(code="portal-emblem")
    taken_at = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 5))
    evidence = publicity.evidence_screenshot_file(
        requirement=portal_emblem, site=site, png=b"\x89PNG\r\n\x1a\n shot", taken_at=taken_at
    )
    assert (evidence.site, evidence.mds, evidence.automatic, evidence.recorded_by, evidence.observed_on) == (
        site, None, True, None, date(2026, 3, 2),
    )  # fmt: skip
    assert evidence.document.original_name == "portal-emblem-arles-2026-03-02-0905.png"
    assert evidence.document.sha256 == hashlib.sha256(b"\x89PNG\r\n\x1a\n shot").hexdigest()
