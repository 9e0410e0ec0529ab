"""`manage.py publicity_evidence` for real: headless Chromium screenshots each site's portal from the live server at
phone size, checks the EU emblem in the page and files each good screenshot as dated, automatic evidence."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from funding.models import PublicityEvidence
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.funding.conftest import operation, private_storage  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _blue_share(png: bytes) -> float:
    """The share of the picture's pixels in the EU's Reflex Blue (#003399), give or take the rendering."""
    with Image.open(io.BytesIO(png)) as picture:
        data = picture.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    blue = sum(1 for r, g, b in pixels if r < 20 and 35 < g < 70 and 135 < b < 170)
    return blue / len(pixels)


def test_the_command_files_a_dated_phone_screenshot_of_each_portal(live_server, operation, private_storage):  # noqa: F811
    TermsVersionFactory(language="fr")
    arles = SitePortalFactory(site__slug="arles", site__mds__number=15).site
    aubagne = SitePortalFactory(site__slug="aubagne", site__mds__number=17).site
    SitePortalFactory(site__slug="fermee", enabled=False)  # no portal shown: nothing to take
    out = StringIO()
    call_command("publicity_evidence", base_url=live_server.url, stdout=out)
    output = out.getvalue()
    assert "arles: OK" in output and "aubagne: OK" in output and "fermee" not in output
    assert "2 screenshot(s) filed, 0 problem(s)." in output
    filed = {e.site: e for e in PublicityEvidence.objects.select_related("document", "requirement")}
    assert set(filed) == {arles, aubagne}
    for evidence in filed.values():
        assert evidence.requirement.code == "portal-emblem"
        assert evidence.automatic and evidence.recorded_by is None and evidence.mds is None
        png = evidence.document.file.open("rb").read()
        assert evidence.document.intact() and evidence.document.content_type == "image/png"
        with Image.open(io.BytesIO(png)) as picture:
            assert picture.size == (720, 1280)  # 360×640 CSS pixels at scale 2
        # The emblem, 72×48 CSS px = 144×96 device px of blue on 720×1280, less its stars: over 1 % of the picture.
        assert _blue_share(png) > 0.01


def test_one_site_only_and_a_portal_that_fails_is_reported_not_filed(live_server, operation, private_storage):  # noqa: F811
    """No terms in force: the portal answers 503; the command says so, and files nothing for it."""
    SitePortalFactory(site__slug="arles")
    SitePortalFactory(site__slug="aubagne")
    out = StringIO()
    call_command("publicity_evidence", site="arles", base_url=live_server.url, stdout=out)
    assert "arles: problem — the portal answered 503" in out.getvalue()
    assert "aubagne" not in out.getvalue()
    assert "0 screenshot(s) filed, 1 problem(s)." in out.getvalue()
    assert not PublicityEvidence.objects.exists()


def test_without_an_operation_the_command_refuses(live_server):
    SitePortalFactory(site__slug="arles")
    with pytest.raises(CommandError, match="No FEDER operation"):
        call_command("publicity_evidence", base_url=live_server.url, stdout=StringIO())


def test_without_chromium_the_command_says_so(live_server, operation, settings, tmp_path):  # noqa: F811
    SitePortalFactory(site__slug="arles")
    settings.FUNDING_PUBLICITY_CHROMIUM = str(tmp_path / "no-chromium")
    with pytest.raises(CommandError, match="Chromium did not start"):
        call_command("publicity_evidence", base_url=live_server.url, stdout=StringIO())
    assert not PublicityEvidence.objects.exists()
