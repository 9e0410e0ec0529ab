"""The asset register's pages: the register (filters, search, CSV), an invoice line and its access points, an access
point read back to its invoice, the durability warnings and their acknowledgement — finance and programme only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Asset, DurabilityEvent, DurabilityWarning, ItemKind
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.funding.factories import (
    AssetFactory,
    ClaimedInvoiceFactory,
    DurabilityWarningFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PaymentClaimFactory,
    PublicContractFactory,
    SupplierFactory,
    final_payment,
)
from tests.wifi.factories import AccessPointFactory
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db

REGISTER = reverse("funding_assets:register")


@pytest.fixture
def finance(signed_in):
    return signed_in(agent_with_role(Role.FINANCE, first_name="Fanny", last_name="Finances"))


@pytest.fixture
def arles():
    return SiteFactory(mds=MdsFactory(name="Arles"), name="Arles centre")


@pytest.fixture
def line(operation):
    """Invoice F-2021-117 of Réseaux du Sud, line 1: three access points at 412.50 € HT, under contract 2020-WIFI-01."""
    supplier = SupplierFactory(name="Réseaux du Sud")
    invoice = InvoiceFactory(
        number="F-2021-117", supplier=supplier,
        contract=PublicContractFactory(number="2020-WIFI-01", subject="Bornes WiFi des MDS", supplier=supplier),
    )  # fmt: skip
    return InvoiceLineFactory(
        invoice=invoice, position=1, description="Borne WiFi 6 intérieure", quantity=Decimal("3"),
        unit_price=Decimal("412.50"), amount=Decimal("1237.50"),
    )  # fmt: skip


@pytest.fixture
def hall(line, arles):
    """An access point of the line, in the waiting room of Arles centre."""
    ap = AccessPointFactory(site=arles, zone=ZoneFactory(site=arles, name="Salle d’attente"), label="Borne accueil",
                            serial_number="U6-ARL-1")  # fmt: skip
    AssetFactory(invoice_line=line, access_point=ap)
    return ap


def _html(response) -> str:
    return response.content.decode()


# --- Who may open them -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROGRAMME, Role.ADMIN])
def test_finance_programme_and_admins_open_the_register(role, signed_in, hall):
    assert signed_in(agent_with_role(role)).get(REGISTER).status_code == 200


@pytest.mark.parametrize("role", [Role.OPS, Role.LEGAL_REQUISITION])
def test_other_departement_wide_roles_get_a_403(role, signed_in, hall):
    client = signed_in(agent_with_role(role))
    for url in (REGISTER, reverse("funding_assets:warnings"), reverse("funding_assets:lines")):
        assert client.get(url).status_code == 403
    assert client.get(reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-1"})).status_code == 403


def test_an_agent_of_the_mds_gets_a_403_on_its_own_access_point(signed_in, hall, arles):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, arles.mds))
    assert client.get(reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-1"})).status_code == 403


# --- The register ----------------------------------------------------------------------------------


def test_the_register_lists_each_asset_with_its_place_status_and_invoice_in_french(finance, hall, line, operation):
    server_line = InvoiceLineFactory(invoice=line.invoice, position=2, kind=ItemKind.SERVER, description="Serveur")
    Asset.objects.create(
        invoice_line=server_line, kind=ItemKind.SERVER, label="Serveur du portail", serial_number="SRV-1"
    )
    html = _html(finance.get(REGISTER))
    assert "Registre des biens FEDER" in html
    assert "2 biens." in html
    row = html[html.index("U6-ARL-1") :]
    for text in ("Borne", "Borne accueil", "Arles — Arles centre — Salle d’attente", "Exploitée",
                 "Réseaux du Sud", "F-2021-117"):  # fmt: skip
        assert text in row
    assert reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-1"}) in html
    assert reverse("funding_assets:line", kwargs={"pk": line.pk}) in html
    assert "Serveur du portail" in html


def test_the_register_costs_the_same_queries_for_one_asset_or_many(finance, hall, line, django_assert_num_queries):
    with django_assert_num_queries(11):
        finance.get(REGISTER)
    for _ in range(2, 8):
        AssetFactory(invoice_line=InvoiceLineFactory(invoice=line.invoice), access_point=AccessPointFactory())
    with django_assert_num_queries(11):
        response = finance.get(REGISTER)
    assert "7 biens." in _html(response)


def test_the_register_filters_on_the_status_the_mds_and_a_search(finance, hall, line, arles):
    retired = AccessPointFactory(site=arles, serial_number="U6-ARL-2", lifecycle=Lifecycle.RETIRED)
    AssetFactory(invoice_line=line, access_point=retired)
    elsewhere = AccessPointFactory(
        site=SiteFactory(mds=MdsFactory(name="Istres"), name="Istres"), serial_number="U6-IST-1"
    )
    AssetFactory(invoice_line=InvoiceLineFactory(invoice=InvoiceFactory(number="F-2022-003")), access_point=elsewhere)

    def serials(**query):
        html = _html(finance.get(REGISTER, query))
        return sorted(s for s in ("U6-ARL-1", "U6-ARL-2", "U6-IST-1") if s in html)

    assert serials() == ["U6-ARL-1", "U6-ARL-2", "U6-IST-1"]
    assert serials(status="retired") == ["U6-ARL-2"]
    assert serials(status="in_operation") == ["U6-ARL-1", "U6-IST-1"]
    assert serials(mds=arles.mds_id) == ["U6-ARL-1", "U6-ARL-2"]
    assert serials(q="F-2022") == ["U6-IST-1"]
    assert serials(q="réseaux arl-2") == ["U6-ARL-2"]


def test_the_csv_holds_the_rows_of_the_page(finance, hall, line, arles):
    retired = AccessPointFactory(
        site=arles, serial_number="U6-ARL-2", lifecycle=Lifecycle.RETIRED, retired_on=datetime.date(2026, 11, 30)
    )
    AssetFactory(invoice_line=line, access_point=retired)
    response = finance.get(reverse("funding_assets:export"), {"status": "retired"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Type;Numéro de série;Nom;MDS;Site;Zone;Statut dans l’inventaire WiFi;Retirée le;")
    assert len(lines) == 2
    cells = lines[1].split(";")
    assert cells[:8] == ["Borne", "U6-ARL-2", cells[2], "Arles", "Arles centre", "", "Retirée", "2026-11-30"]
    assert cells[8:] == ["Réseaux du Sud", "F-2021-117", "2021-05-10", "1", "Borne WiFi 6 intérieure", "412.50",
                         "2020-WIFI-01"]  # fmt: skip


# --- An invoice line -------------------------------------------------------------------------------


def test_an_invoice_line_shows_its_price_contract_claim_and_where_its_access_points_are(finance, hall, line, operation):
    claim = PaymentClaimFactory(operation=operation, number=1)
    ClaimedInvoiceFactory(claim=claim, invoice=line.invoice)
    final_payment(operation, received_on=datetime.date(2023, 3, 15))
    html = _html(finance.get(reverse("funding_assets:line", kwargs={"pk": line.pk})))
    assert "Facture F-2021-117, ligne 1" in html
    assert "N°\u00a0F-2021-117 du 10 mai 2021, payée le 15 juin 2021" in html
    assert "3 × 412,50\u00a0€ = 1\u00a0237,50\u00a0€" in html
    assert "2020-WIFI-01 — Bornes WiFi des MDS" in html
    assert str(claim) in html
    assert "jusqu’au 15 mars 2028 inclus" in html
    assert "1 bien inscrit" in html
    for text in ("U6-ARL-1", "Borne accueil", "Arles — Arles centre", "Salle d’attente", "Exploitée"):
        assert text in html
    assert "Inscrire des bornes" in html  # finance registers


def test_finance_registers_access_points_by_serial_number_on_the_line_page(finance, line, arles):
    AccessPointFactory(site=arles, serial_number="U6-ARL-7")
    AccessPointFactory(site=arles, serial_number="U6-ARL-8")
    url = reverse("funding_assets:line_register", kwargs={"pk": line.pk})
    response = finance.post(url, {"serial_numbers": "U6-ARL-7\nU6-ARL-8"})
    assert response.status_code == 302
    assert sorted(Asset.objects.filter(invoice_line=line).values_list("serial_number", flat=True)) == [
        "U6-ARL-7", "U6-ARL-8"
    ]  # fmt: skip
    assert "2 biens inscrits sur cette ligne." in _html(finance.get(response["Location"]))


def test_an_unknown_serial_number_is_refused_on_the_page_in_french(finance, line, arles):
    AccessPointFactory(site=arles, serial_number="U6-ARL-7")
    response = finance.post(
        reverse("funding_assets:line_register", kwargs={"pk": line.pk}), {"serial_numbers": "U6-ARL-7 U6-XXX-0"}
    )
    assert response.status_code == 400
    assert "Le numéro de série «\u00a0U6-XXX-0\u00a0» n’est pas dans l’inventaire WiFi" in _html(response)
    assert not Asset.objects.exists()


def test_a_server_is_registered_with_its_label_serial_and_site(finance, line, arles):
    server_line = InvoiceLineFactory(invoice=line.invoice, position=2, kind=ItemKind.SERVER, description="Serveur")
    response = finance.post(
        reverse("funding_assets:line_register", kwargs={"pk": server_line.pk}),
        {"label": "Serveur du portail", "serial_number": "SRV-1", "site": arles.pk},
    )
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.kind, asset.label, asset.serial_number, asset.site) == (
        ItemKind.SERVER,
        "Serveur du portail",
        "SRV-1",
        arles,
    )


def test_programme_staff_read_a_line_but_do_not_register(signed_in, line, arles):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    AccessPointFactory(site=arles, serial_number="U6-ARL-7")
    assert "Inscrire des bornes" not in _html(client.get(reverse("funding_assets:line", kwargs={"pk": line.pk})))
    response = client.post(
        reverse("funding_assets:line_register", kwargs={"pk": line.pk}), {"serial_numbers": "U6-ARL-7"}
    )
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_the_lines_list_says_how_much_of_each_line_is_registered(finance, hall, line, django_assert_num_queries):
    InvoiceLineFactory(invoice=line.invoice, position=2, kind=ItemKind.SERVICE, description="Étude de couverture")
    with django_assert_num_queries(9):
        html = _html(finance.get(reverse("funding_assets:lines")))
    assert "1 / 3" in html
    assert "Étude de couverture" not in html  # a service has no asset
    assert "F-2021-117" not in _html(finance.get(reverse("funding_assets:lines"), {"incomplete": "on", "q": "zzz"}))


# --- An access point, read back --------------------------------------------------------------------


def test_an_access_point_leads_back_to_its_invoice_supplier_price_contract_and_claim(finance, hall, line, operation):
    claim = PaymentClaimFactory(operation=operation, number=1)
    ClaimedInvoiceFactory(claim=claim, invoice=line.invoice)
    html = _html(finance.get(reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-1"})))
    assert "Borne U6-ARL-1" in html
    for text in ("Arles — Arles centre", "Salle d’attente", "Exploitée", "Facture F-2021-117, ligne 1",
                 "Réseaux du Sud", "412,50\u00a0€", "2020-WIFI-01", str(claim),
                 "Pas commencée (jusqu’au paiement du solde)"):  # fmt: skip
        assert text in html
    assert reverse("funding_assets:line", kwargs={"pk": line.pk}) in html


def test_an_access_point_nobody_registered_says_so(finance, arles):
    AccessPointFactory(site=arles, serial_number="U6-ARL-9")
    html = _html(finance.get(reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-9"})))
    assert "Cette borne n’est pas au registre des biens FEDER" in html


def test_a_serial_number_typed_on_the_spot_leads_to_its_access_point(finance, hall):
    response = finance.get(reverse("funding_assets:lookup"), {"serial": " u6-arl-1 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("funding_assets:access_point", kwargs={"serial": "U6-ARL-1"})
    response = finance.get(reverse("funding_assets:lookup"), {"serial": "U6-NONE"})
    assert response.status_code == 400
    assert "Aucune borne de l’inventaire WiFi n’a le numéro de série «\u00a0U6-NONE\u00a0»" in _html(response)


# --- Durability warnings ---------------------------------------------------------------------------


def test_the_warnings_page_lists_them_with_the_count_to_acknowledge(finance, hall, django_assert_num_queries):
    DurabilityWarningFactory(asset=hall.funded_asset, detail="Arles — Arles centre, 30/11/2026")
    DurabilityWarningFactory(asset=hall.funded_asset, event=DurabilityEvent.MOVED, detail="Arles → Istres")
    with django_assert_num_queries(9):
        html = _html(finance.get(reverse("funding_assets:warnings")))
    assert "2 alertes." in html
    assert '<span class="badge text-bg-danger">2<span class="visually-hidden"> à prendre en compte</span>' in html
    assert "Déplacée vers un autre site" in html or "Arles → Istres" in html
    assert html.count("Prendre en compte<span") == 2


def test_acknowledging_from_the_page_records_who_and_when(signed_in, hall):
    agent = agent_with_role(Role.PROGRAMME, first_name="Paul", last_name="Programme")
    client = signed_in(agent)
    warning = DurabilityWarningFactory(asset=hall.funded_asset)
    url = reverse("funding_assets:acknowledge", kwargs={"pk": warning.pk})
    response = client.post(url, {"next": reverse("funding_assets:warnings") + "?state=open"})
    assert response.status_code == 302
    assert response["Location"] == reverse("funding_assets:warnings") + "?state=open"
    warning.refresh_from_db()
    assert warning.acknowledged_by == agent and warning.acknowledged_at is not None
    html = _html(client.get(reverse("funding_assets:warnings"), {"state": "acknowledged"}))
    assert "Par Paul Programme le" in html
    again = client.post(url, follow=True)
    assert "Cette alerte a déjà été prise en compte par Paul Programme" in _html(again)


def test_acknowledging_never_sends_elsewhere(finance, hall):
    warning = DurabilityWarningFactory(asset=hall.funded_asset)
    response = finance.post(
        reverse("funding_assets:acknowledge", kwargs={"pk": warning.pk}), {"next": "https://ailleurs.example/"}
    )
    assert response["Location"] == reverse("funding_assets:warnings")


def test_an_agent_who_may_not_acknowledge_cannot(signed_in, hall):
    warning = DurabilityWarningFactory(asset=hall.funded_asset)
    response = signed_in(agent_with_role(Role.OPS)).post(
        reverse("funding_assets:acknowledge", kwargs={"pk": warning.pk})
    )
    assert response.status_code == 403
    assert DurabilityWarning.objects.get().acknowledged_at is None
