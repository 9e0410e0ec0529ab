"""Agents edit the portal's content blocks within their MDS; every-site blocks are for département-wide roles."""

import pytest
from django.urls import reverse

from captive_portal.models import ContentBlock, ContentLink
from sites.roles import Role
from tests.captive_portal.factories import (
    ContentBlockFactory,
    ContentLinkFactory,
    SitePortalFactory,
    TermsVersionFactory,
)
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return SiteFactory(mds=MdsFactory(name="Alpha"), name="Site Alpha", slug="site-alpha")


@pytest.fixture
def bravo():
    return SiteFactory(mds=MdsFactory(name="Bravo"), name="Site Bravo", slug="site-bravo")


def _block(*sites, **fields):
    block = ContentBlockFactory(**fields)
    block.sites.set(sites)
    return block


def form_data(*, sites=(), links=(), existing_links=(), **fields) -> dict:
    data = {"kind": "news", "language": "fr", "title": "Atelier CV", "body": "Jeudi 14 h.", "order": "10",
            "published": "on", "starts_on": "", "ends_on": "", "image_alt": ""}  # fmt: skip
    data.update(fields)
    data["sites"] = [site.pk for site in sites]
    rows = [*existing_links, *links]
    data.update({"links-TOTAL_FORMS": str(len(rows)), "links-INITIAL_FORMS": str(len(existing_links)),
                 "links-MIN_NUM_FORMS": "0", "links-MAX_NUM_FORMS": "1000"})  # fmt: skip
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"links-{index}-{key}"] = value
    return data


CREATE = reverse("portal_content:block_create")


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.MDS_MANAGER])
def test_mediators_and_managers_add_blocks_for_their_own_sites(role, alpha, signed_in):
    """A block is created with its target site and its links, in the order given."""
    client = signed_in(agent_with_role(role, alpha.mds))
    links = [{"label": "CAF", "url": "https://www.caf.fr"}, {"label": "Ameli", "url": "https://www.ameli.fr"}]
    response = client.post(CREATE, form_data(sites=[alpha], links=links))
    block = ContentBlock.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_content:block_detail", kwargs={"pk": block.pk})
    assert list(block.sites.all()) == [alpha]
    assert [(link.label, link.url) for link in block.links.all()] == [
        ("CAF", "https://www.caf.fr"),
        ("Ameli", "https://www.ameli.fr"),
    ]


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER])
def test_reception_and_social_workers_only_read(role, alpha, signed_in):
    """They see the list and a block, but may not add, edit or delete one."""
    block = _block(alpha, title="Horaires été")
    client = signed_in(agent_with_role(role, alpha.mds))
    assert "Horaires été" in client.get(reverse("portal_content:blocks")).content.decode()
    detail = client.get(reverse("portal_content:block_detail", kwargs={"pk": block.pk}))
    assert '<h1 lang="fr">Horaires été</h1>' in detail.content.decode()
    assert reverse("portal_content:block_edit", kwargs={"pk": block.pk}) not in detail.content.decode()
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(sites=[alpha])).status_code == 403
    assert client.post(reverse("portal_content:block_edit", kwargs={"pk": block.pk}),
                       form_data(sites=[alpha], title="Piraté")).status_code == 403  # fmt: skip
    assert client.post(reverse("portal_content:block_delete", kwargs={"pk": block.pk})).status_code == 403
    assert list(ContentBlock.objects.values_list("title", flat=True)) == ["Horaires été"]


def test_a_site_of_another_mds_cannot_be_targeted(alpha, bravo, signed_in):
    """The sites offered are the agent's; a forged choice is refused and nothing is saved."""
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    html = client.get(CREATE).content.decode()
    assert "Site Alpha" in html and "Site Bravo" not in html
    response = client.post(CREATE, form_data(sites=[bravo]))
    assert response.status_code == 200
    assert response.context["form"].errors["sites"]
    assert not ContentBlock.objects.exists()


def test_a_block_of_another_mds_does_not_exist_for_the_agent(alpha, bravo, signed_in):
    """Detail, edit and delete of a block shown only at another MDS's sites are 404, and it stays unchanged."""
    block = _block(bravo, title="Bravo infos")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    assert client.get(reverse("portal_content:block_detail", kwargs={"pk": block.pk})).status_code == 404
    for name in ("block_edit", "block_delete"):
        url = reverse(f"portal_content:{name}", kwargs={"pk": block.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(sites=[alpha], title="Piraté")).status_code == 404
    assert ContentBlock.objects.get().title == "Bravo infos"
    assert "Bravo infos" not in client.get(reverse("portal_content:blocks")).content.decode()


def test_per_mds_agents_cannot_make_a_block_for_every_site(alpha, signed_in):
    """No "every site" choice for them: sending it anyway still asks for a site."""
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    assert 'name="all_sites"' not in client.get(CREATE).content.decode()
    response = client.post(CREATE, form_data(all_sites="on"))
    assert response.status_code == 200
    assert not ContentBlock.objects.exists()


def test_every_site_blocks_are_read_only_for_per_mds_agents(alpha, signed_in):
    """They see a block shown everywhere, but editing or deleting it is forbidden."""
    block = _block(title="Services publics")
    client = signed_in(agent_with_role(Role.MEDIATOR, alpha.mds))
    assert "Services publics" in client.get(reverse("portal_content:blocks")).content.decode()
    assert client.get(reverse("portal_content:block_detail", kwargs={"pk": block.pk})).status_code == 200
    assert client.get(reverse("portal_content:block_edit", kwargs={"pk": block.pk})).status_code == 403
    assert client.post(reverse("portal_content:block_delete", kwargs={"pk": block.pk})).status_code == 403
    assert ContentBlock.objects.filter(pk=block.pk).exists()


def test_a_block_shared_with_another_mds_is_readable_but_not_editable(alpha, bravo, signed_in):
    """Changing it would change what another MDS shows."""
    block = _block(alpha, bravo, title="Partagé")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    assert client.get(reverse("portal_content:block_detail", kwargs={"pk": block.pk})).status_code == 200
    assert client.get(reverse("portal_content:block_edit", kwargs={"pk": block.pk})).status_code == 403


@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.ADMIN])
def test_departement_wide_roles_write_blocks_for_every_site(role, alpha, bravo, signed_in):
    """An every-site block has no target site; they may also edit any MDS's block."""
    client = signed_in(agent_with_role(role))
    assert client.post(CREATE, form_data(all_sites="on", title="Pour tous")).status_code == 302
    block = ContentBlock.objects.get(title="Pour tous")
    assert not block.sites.exists()
    other = _block(bravo, title="Bravo infos")
    url = reverse("portal_content:block_edit", kwargs={"pk": other.pk})
    assert client.post(url, form_data(sites=[bravo, alpha], title="Bravo et Alpha")).status_code == 302
    other.refresh_from_db()
    assert other.title == "Bravo et Alpha"
    assert set(other.sites.all()) == {alpha, bravo}


def test_every_site_and_some_sites_together_are_refused(alpha, signed_in):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    response = client.post(CREATE, form_data(all_sites="on", sites=[alpha]))
    assert response.status_code == 200
    assert not ContentBlock.objects.exists()


def test_editing_keeps_kept_links_and_their_ids(alpha, signed_in):
    """A kept link keeps its id (hence its click counts); a removed one goes; a new one is added."""
    block = _block(alpha, title="Démarches")
    caf = ContentLinkFactory(block=block, label="CAF", url="https://www.caf.fr", order=10)
    ants = ContentLinkFactory(block=block, label="ANTS", url="https://ants.gouv.fr", order=20)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    existing = [
        {"id": str(caf.pk), "label": "CAF — allocations", "url": "https://www.caf.fr"},
        {"id": str(ants.pk), "label": "ANTS", "url": "https://ants.gouv.fr", "DELETE": "on"},
    ]
    data = form_data(sites=[alpha], title="Démarches en ligne", existing_links=existing,
                     links=[{"label": "impots.gouv", "url": "https://www.impots.gouv.fr"}])  # fmt: skip
    response = client.post(reverse("portal_content:block_edit", kwargs={"pk": block.pk}), data)
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.title == "Démarches en ligne"
    assert [(link.pk == caf.pk, link.label) for link in block.links.all()] == [
        (True, "CAF — allocations"),
        (False, "impots.gouv"),
    ]
    assert not ContentLink.objects.filter(pk=ants.pk).exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/file"])
def test_links_must_be_http_or_https(url, alpha, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    response = client.post(CREATE, form_data(sites=[alpha], links=[{"label": "Piège", "url": url}]))
    assert response.status_code == 200
    assert not ContentBlock.objects.exists()


def test_an_end_before_the_start_is_refused(alpha, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    response = client.post(CREATE, form_data(sites=[alpha], starts_on="2026-05-10", ends_on="2026-05-01"))
    assert response.status_code == 200
    assert not ContentBlock.objects.exists()


def test_deleting_a_block_removes_it_and_its_links(alpha, signed_in):
    block = _block(alpha)
    ContentLinkFactory(block=block)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    response = client.post(reverse("portal_content:block_delete", kwargs={"pk": block.pk}))
    assert response.status_code == 302
    assert not ContentBlock.objects.exists() and not ContentLink.objects.exists()


def test_the_list_filters_by_language_kind_site_and_dates(alpha, bravo, signed_in):
    _block(alpha, title="Actu FR", language="fr", kind="news")
    _block(alpha, title="News EN", language="en", kind="news")
    _block(alpha, title="Prévention", kind="prevention")
    _block(alpha, title="Ancien", ends_on="2020-01-31")
    _block(alpha, title="Bientôt", starts_on="2999-01-01")
    client = signed_in(agent_with_role(Role.PROGRAMME))
    url = reverse("portal_content:blocks")

    def titles(**query):
        return [row.record.title for row in client.get(url, query).context["table"].paginated_rows]

    assert set(titles(language="en")) == {"News EN"}
    assert set(titles(kind="prevention")) == {"Prévention"}
    assert set(titles(period="past")) == {"Ancien"}
    assert set(titles(period="upcoming")) == {"Bientôt"}
    assert "Ancien" not in titles(period="current") and "Actu FR" in titles(period="current")
    assert titles(site=bravo.pk) == []


def test_the_list_costs_the_same_queries_for_many_blocks(alpha, signed_in, django_assert_num_queries):
    """Sites and links are prefetched: no query per block."""
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    for number in range(15):
        ContentLinkFactory(block=_block(alpha, title=f"Bloc {number}"))
    client.get(reverse("portal_content:blocks"))  # sessions, permissions cache warm-up
    with django_assert_num_queries(11):
        response = client.get(reverse("portal_content:blocks"))
    assert len(response.context["table"].paginated_rows) == 15


# --- Preview -----------------------------------------------------------------------------------------


def test_the_preview_endpoint_renders_the_block_without_saving(alpha, signed_in):
    """`_preview=fragment` answers the portal's own rendering of what was typed; nothing is written."""
    client = signed_in(agent_with_role(Role.MEDIATOR, alpha.mds))
    data = form_data(sites=[alpha], title="Aperçu <b>gras</b>", _preview="fragment",
                     links=[{"label": "CAF", "url": "https://www.caf.fr"}])  # fmt: skip
    response = client.post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/portal/portal." in html
    assert '<section class="block"' in html
    assert "Aperçu &lt;b&gt;gras&lt;/b&gt;" in html
    assert ">CAF</a>" in html
    assert "Site Alpha" in html
    assert not ContentBlock.objects.exists()


def test_previewing_an_edit_leaves_the_saved_block_alone(alpha, signed_in):
    block = _block(alpha, title="Avant")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    url = reverse("portal_content:block_edit", kwargs={"pk": block.pk})
    response = client.post(url, form_data(sites=[alpha], title="Après", _preview="fragment"))
    assert "Après" in response.content.decode()
    block.refresh_from_db()
    assert block.title == "Avant"


def test_the_preview_button_works_without_javascript(alpha, signed_in):
    """The page comes back with the form as typed and the phone frame showing the block."""
    client = signed_in(agent_with_role(Role.MEDIATOR, alpha.mds))
    response = client.post(CREATE, form_data(sites=[alpha], title="Sans script", _preview="page"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Sans script"' in html
    assert "srcdoc=" in html and "Sans script" in html.split("srcdoc=", 1)[1]
    assert not ContentBlock.objects.exists()


def test_the_edit_page_shows_the_saved_block_on_a_phone(alpha, signed_in):
    block = _block(alpha, title="Horaires")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    html = client.get(reverse("portal_content:block_edit", kwargs={"pk": block.pk})).content.decode()
    assert 'class="phone-preview__screen"' in html
    assert f'href="{reverse("portal_content:block_detail", kwargs={"pk": block.pk})}"' in html  # "cancel" goes back
    assert "/static/portal/preview." in html and 'nonce="' in html
    assert 'style="' not in html


# --- The splash follows at once ------------------------------------------------------------------------


def test_the_splash_shows_an_edit_immediately(alpha, signed_in, client):
    """The splash is cached; an edit through the back-office makes the next visitor see the new text."""
    TermsVersionFactory(language="fr")
    SitePortalFactory(site=alpha)
    block = _block(alpha, title="Fermé lundi")
    splash = reverse("captive_portal:splash", kwargs={"slug": alpha.slug})
    assert "Fermé lundi" in client.get(splash).content.decode()
    assert "Fermé lundi" in client.get(splash).content.decode()  # now from the cache

    signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    response = client.post(reverse("portal_content:block_edit", kwargs={"pk": block.pk}),
                           form_data(sites=[alpha], title="Ouvert lundi"))  # fmt: skip
    assert response.status_code == 302
    html = client.get(splash).content.decode()
    assert "Ouvert lundi" in html and "Fermé lundi" not in html

    client.post(reverse("portal_content:block_delete", kwargs={"pk": block.pk}))
    assert "Ouvert lundi" not in client.get(splash).content.decode()


def test_the_phone_frame_holds_the_whole_preview_document(alpha, signed_in):
    """Before: the document went into srcdoc unescaped, so the attribute ended at `<html lang=` and the frame
    stayed blank. Parsed as a browser does, the attribute holds the block's title and the end of the document."""
    from html.parser import HTMLParser

    class Frames(HTMLParser):
        srcdoc = None

        def handle_starttag(self, tag, attrs):
            if tag == "iframe":
                self.srcdoc = dict(attrs).get("srcdoc")

    block = _block(alpha, title="Horaires d’été")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha.mds))
    for url in (reverse("portal_content:block_detail", kwargs={"pk": block.pk}),
                reverse("portal_content:block_edit", kwargs={"pk": block.pk})):  # fmt: skip
        parser = Frames()
        parser.feed(client.get(url).content.decode())
        assert parser.srcdoc and "Horaires d’été" in parser.srcdoc and parser.srcdoc.rstrip().endswith("</html>")
