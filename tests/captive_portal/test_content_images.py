"""Uploaded images are made small for cheap phones: 800 px wide at most, about 60 KB, no EXIF; others refused."""

import base64
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from captive_portal import content
from captive_portal.models import ContentBlock
from sites.roles import Role
from tests.captive_portal.test_content_blocks import form_data
from tests.factories import SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db

CREATE = reverse("portal_content:block_create")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def site():
    return SiteFactory(name="Site Alpha")


@pytest.fixture
def manager(site, signed_in):
    return signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))


def photo(width=3000, height=2000, *, orientation=None, fmt="JPEG", name="photo.jpg") -> SimpleUploadedFile:
    """A camera-like photo: noisy enough not to compress to nothing, with EXIF (maker, GPS, orientation)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    rings = Image.radial_gradient("L").resize((width, height))
    base = Image.merge("RGB", (gradient, rings, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    picture = Image.blend(base, Image.effect_noise((width, height), 40).convert("RGB"), 0.25)
    exif = Image.Exif()
    exif[0x010F] = "Appareil de test"  # Make
    exif[0x0132] = "2025:06:01 10:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    picture.save(buffer, fmt, quality=90, exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_big_photo_becomes_800_px_wide_small_and_without_exif(manager, site):
    upload = photo()
    assert upload.size > 1_000_000
    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="La salle d'attente"), "image": upload})
    assert response.status_code == 302
    block = ContentBlock.objects.get()
    assert block.image.name.startswith("portal/") and block.image.name.endswith(".jpg")
    with block.image.open("rb") as stored:
        data = stored.read()
    assert len(data) <= 62 * 1024
    with Image.open(io.BytesIO(data)) as stored_picture:
        assert stored_picture.format == "JPEG"
        assert stored_picture.size == (800, 533)
        assert not stored_picture.getexif()
    assert b"Exif" not in data and b"Appareil de test" not in data


def test_the_orientation_is_applied_before_the_exif_goes(manager, site):
    """A portrait photo whose EXIF says "rotate" stays upright once its EXIF is gone."""
    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="Affiche"), "image": photo(orientation=6)})
    assert response.status_code == 302
    with Image.open(ContentBlock.objects.get().image.path) as stored:
        assert stored.size == (800, 1200)


def test_a_transparent_png_is_flattened_to_jpeg():
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 200), (255, 0, 0, 0)).save(buffer, "PNG")
    prepared = content.image_prepare(SimpleUploadedFile("logo.png", buffer.getvalue()))
    with Image.open(prepared) as picture:
        assert (picture.format, picture.mode, picture.size) == ("JPEG", "RGB", (400, 200))


def test_a_file_that_is_not_an_image_is_refused_clearly(manager, site):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a picture", content_type="image/jpeg")
    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="x"), "image": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["image"]
    assert not ContentBlock.objects.exists()


def test_a_file_over_5_mb_is_refused_before_being_read(manager, site):
    big = SimpleUploadedFile("huge.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="x"), "image": big})
    assert response.status_code == 200
    assert any(limit in " ".join(response.context["form"].errors["image"]) for limit in ("5 Mo", "5 MB"))
    assert not ContentBlock.objects.exists()


def test_an_image_needs_its_description(manager, site):
    response = manager.post(CREATE, {**form_data(sites=[site]), "image": photo(400, 300)})
    assert response.status_code == 200
    assert response.context["form"].errors["image_alt"]
    assert not ContentBlock.objects.exists()


def test_replacing_an_image_deletes_the_old_file(manager, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(CREATE, {**form_data(sites=[site], image_alt="Avant"), "image": photo(400, 300)})
    block = ContentBlock.objects.get()
    old = block.image.path
    url = reverse("portal_content:block_edit", kwargs={"pk": block.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {**form_data(sites=[site], image_alt="Après"), "image": photo(500, 300)})
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.image.path != old
    assert not (block.image.storage.exists(old))
    assert block.image.storage.exists(block.image.name)


def test_the_preview_shows_a_new_image_inline_without_storing_it(manager, site, tmp_path):
    response = manager.post(
        CREATE, {**form_data(sites=[site], image_alt="Affiche", _preview="fragment"), "image": photo(1200, 800)}
    )
    assert 'src="data:image/jpeg;base64,' in response.content.decode()
    assert not ContentBlock.objects.exists()
    assert not list(tmp_path.rglob("*.jpg"))


def _hidden_kept_image(html: str) -> str:
    match = re.search(r'name="image_kept" value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_an_image_chosen_then_previewed_without_javascript_is_saved_with_the_block(manager, site):
    """Before: the reload emptied the file input and Save stored the block without its image, saying nothing."""
    preview = manager.post(
        CREATE, {**form_data(sites=[site], image_alt="Affiche"), "image": photo(1200, 800), "_preview": "page"}
    )
    html = preview.content.decode()
    assert "The image you chose is kept" in html or "L’image choisie est gardée" in html
    kept = _hidden_kept_image(html)
    assert kept and not ContentBlock.objects.exists()

    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="Affiche"), "image_kept": kept})

    assert response.status_code == 302
    block = ContentBlock.objects.get()
    assert block.image and block.image.storage.exists(block.image.name)
    with Image.open(block.image.path) as saved:
        assert saved.size == (800, 533)


def test_a_form_refused_for_another_field_keeps_the_image_chosen(manager, site):
    html = manager.post(CREATE, {**form_data(sites=[site], image_alt="Affiche", title=""), "image": photo(400, 300)})
    assert html.status_code == 200 and _hidden_kept_image(html.content.decode())


def test_a_kept_image_is_checked_again_like_an_upload(manager, site):
    """The hidden field comes from the browser: something that is not a picture is refused, nothing is stored."""
    forged = base64.b64encode(b"<svg onload=alert(1)>").decode()
    response = manager.post(CREATE, {**form_data(sites=[site], image_alt="Affiche"), "image_kept": forged})
    assert response.status_code == 200
    assert "could not be kept" in response.content.decode() or "n’a pas pu être gardée" in response.content.decode()
    assert not ContentBlock.objects.exists()


def test_a_new_file_or_removing_the_image_wins_over_the_kept_one(manager, site):
    kept = _hidden_kept_image(
        manager.post(
            CREATE, {**form_data(sites=[site], image_alt="Affiche"), "image": photo(1200, 800), "_preview": "page"}
        ).content.decode()
    )
    manager.post(CREATE, {**form_data(sites=[site], image_alt="Autre"), "image": photo(400, 300), "image_kept": kept})
    with Image.open(ContentBlock.objects.get().image.path) as saved:
        assert saved.size == (400, 300)
