"""The asset register: access points by their serial numbers from the WiFi inventory, other equipment by label,
never more than the invoice line's quantity; and the on-the-spot check, invoice → access points → invoice."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from funding import assets
from funding.models import Asset, ItemKind
from sites.roles import Role
from tests.factories import SiteFactory, ZoneFactory, agent_with_role
from tests.funding.factories import (
    AssetFactory,
    ClaimedInvoiceFactory,
    InvoiceLineFactory,
    PaymentClaimFactory,
    PublicContractFactory,
    final_payment,
)
from tests.wifi.factories import AccessPointFactory
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    return agent_with_role(Role.FINANCE)


@pytest.fixture
def ap_line(operation):
    """A line for 3 access points at 412.50 € each."""
    return InvoiceLineFactory(
        description="Borne WiFi 6 intérieure", quantity=Decimal("3"), unit_price=Decimal("412.50"),
        amount=Decimal("1237.50"),
    )  # fmt: skip


def _messages(excinfo) -> list[str]:
    return excinfo.value.messages


def test_access_points_are_registered_by_their_serial_numbers_with_an_audit_entry(ap_line, finance):
    first, second = AccessPointFactory(serial_number="U6-0001"), AccessPointFactory(serial_number="U6-0002")
    registered = assets.access_points_register(
        actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001", " U6-0002 "]
    )
    assert [a.access_point for a in registered] == [first, second]
    rows = Asset.objects.filter(invoice_line=ap_line).order_by("serial_number")
    assert [(a.kind, a.serial_number, a.access_point_id) for a in rows] == [
        (ItemKind.ACCESS_POINT, "U6-0001", first.pk),
        (ItemKind.ACCESS_POINT, "U6-0002", second.pk),
    ]
    entries = LogEntry.objects.get_for_objects(Asset.objects.all())
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {finance}


def test_a_serial_number_the_wifi_inventory_does_not_have_is_refused_in_french(ap_line, finance):
    AccessPointFactory(serial_number="U6-0001")
    with pytest.raises(ValidationError) as excinfo:
        assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001", "U6-9999"])
    assert _messages(excinfo) == [
        "Le numéro de série «\u00a0U6-9999\u00a0» n’est pas dans l’inventaire WiFi\u00a0: ajoutez d’abord la borne "
        "à l’inventaire, ou vérifiez le numéro sur le bon de livraison."
    ]
    assert not Asset.objects.exists()  # all or nothing: the known one is not registered either


def test_an_access_point_already_registered_on_another_line_is_refused(ap_line, finance, operation):
    ap = AccessPointFactory(serial_number="U6-0001")
    other = InvoiceLineFactory(description="Bornes, deuxième livraison", quantity=Decimal("5"))
    assets.access_points_register(actor=finance, invoice_line=other, serial_numbers=["U6-0001"])
    with pytest.raises(ValidationError) as excinfo:
        assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001"])
    assert "déjà inscrite sur une autre ligne" in _messages(excinfo)[0]
    assert str(other.invoice.number) in _messages(excinfo)[0]
    assert Asset.objects.get(access_point=ap).invoice_line == other


def test_an_access_point_registered_twice_on_the_same_line_is_refused(ap_line, finance):
    AccessPointFactory(serial_number="U6-0001")
    assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001"])
    with pytest.raises(ValidationError) as excinfo:
        assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001"])
    assert _messages(excinfo) == ["La borne «\u00a0U6-0001\u00a0» est déjà inscrite sur cette ligne."]
    with pytest.raises(ValidationError) as excinfo:
        assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0002", "U6-0002"])
    assert "Le numéro de série «\u00a0U6-0002\u00a0» est donné deux fois." in _messages(excinfo)
    assert Asset.objects.count() == 1


def test_the_database_refuses_one_access_point_on_two_lines_even_past_the_service(ap_line, operation):
    """The one-to-one link is the last guard: a writer that skipped the service's check cannot store it."""
    ap = AccessPointFactory()
    AssetFactory(access_point=ap)
    duplicate = Asset(invoice_line=ap_line, kind=ItemKind.ACCESS_POINT, access_point=ap, serial_number="")
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_a_line_never_holds_more_assets_than_its_quantity(ap_line, finance):
    for n in range(1, 5):
        AccessPointFactory(serial_number=f"U6-000{n}")
    with pytest.raises(ValidationError) as excinfo:
        assets.access_points_register(
            actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001", "U6-0002", "U6-0003", "U6-0004"]
        )
    assert _messages(excinfo) == [
        "Cette ligne porte sur 3 articles et en compte déjà 0 au registre\u00a0: 4 de plus dépasseraient sa quantité."
    ]
    assert not Asset.objects.exists()
    assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001", "U6-0002"])
    assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0003"])
    with pytest.raises(ValidationError, match="en compte déjà 3"):
        assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0004"])
    assert Asset.objects.filter(invoice_line=ap_line).count() == 3


def test_only_a_line_for_access_points_takes_serial_numbers_of_the_inventory(operation, finance):
    AccessPointFactory(serial_number="U6-0001")
    server_line = InvoiceLineFactory(kind=ItemKind.SERVER, description="Serveur du portail captif")
    with pytest.raises(ValidationError, match="pas pour des bornes"):
        assets.access_points_register(actor=finance, invoice_line=server_line, serial_numbers=["U6-0001"])
    assert not Asset.objects.exists()


def test_servers_and_licences_are_registered_by_label_serial_and_site(operation, finance):
    site = SiteFactory(name="Arles centre")
    server_line = InvoiceLineFactory(kind=ItemKind.SERVER, description="Serveur", quantity=Decimal("1"))
    server = assets.asset_register(
        actor=finance, invoice_line=server_line, label="Serveur du portail captif", serial_number="SRV-42", site=site
    )
    assert (server.kind, server.label, server.serial_number, server.site, server.place) == (
        ItemKind.SERVER, "Serveur du portail captif", "SRV-42", site, site
    )  # fmt: skip
    with pytest.raises(ValidationError, match="1 article et en compte déjà 1"):
        assets.asset_register(actor=finance, invoice_line=server_line, label="Un second serveur")
    licences = InvoiceLineFactory(kind=ItemKind.LICENCE, description="Licences contrôleur", quantity=Decimal("2"))
    assets.asset_register(actor=finance, invoice_line=licences, label="Licence contrôleur", serial_number="LIC-1")
    with pytest.raises(ValidationError) as excinfo:  # the register's unique serial number per kind
        assets.asset_register(actor=finance, invoice_line=licences, label="Licence contrôleur", serial_number="LIC-1")
    assert [error.code for error in excinfo.value.error_dict["__all__"]] == ["funding_asset_serial_unique"]
    with pytest.raises(ValidationError, match="par leur numéro de série"):
        assets.asset_register(actor=finance, invoice_line=InvoiceLineFactory(), label="Borne")
    service = InvoiceLineFactory(kind=ItemKind.SERVICE, description="Étude de couverture")
    with pytest.raises(ValidationError, match="une prestation"):
        assets.asset_register(actor=finance, invoice_line=service, label="Étude")
    assert Asset.objects.count() == 2


def test_an_invoice_line_leads_to_its_access_points_on_the_wall_and_back(ap_line, finance, operation):
    """The on-the-spot check: the line lists each AP's site, zone and step; each AP gives back the invoice, the
    line, the supplier, the price, the contract and the claim."""
    contract = PublicContractFactory(number="2020-WIFI-01", subject="Bornes WiFi des MDS")
    ap_line.invoice.contract = contract
    ap_line.invoice.save()
    claim = PaymentClaimFactory(operation=operation, number=1)
    ClaimedInvoiceFactory(claim=claim, invoice=ap_line.invoice)
    final_payment(operation, received_on=ap_line.invoice.paid_on)
    hall = AccessPointFactory(serial_number="U6-0001", zone=None)
    zone = ZoneFactory(site=hall.site, name="Salle d’attente")
    hall.zone = zone
    hall.save()
    office = AccessPointFactory(serial_number="U6-0002", lifecycle=Lifecycle.RETIRED)
    assets.access_points_register(actor=finance, invoice_line=ap_line, serial_numbers=["U6-0001", "U6-0002"])

    line = assets.line_assets(ap_line)
    assert [(a.access_point.site, a.access_point.zone, a.access_point.lifecycle) for a in line.assets] == [
        (hall.site, zone, Lifecycle.IN_SERVICE),
        (office.site, None, Lifecycle.RETIRED),
    ]
    assert line.room == Decimal("1")
    assert [item.claim for item in line.claims] == [claim]

    for ap in (hall, office):
        back = assets.access_point_funding(ap)
        assert back.asset.invoice_line == ap_line
        invoice = back.asset.invoice_line.invoice
        assert (invoice, invoice.supplier, invoice.contract) == (ap_line.invoice, ap_line.invoice.supplier, contract)
        assert back.asset.invoice_line.unit_price == Decimal("412.50")
        assert [item.claim for item in back.claims] == [claim]
        assert back.window.ends_on is not None


def test_an_access_point_nobody_registered_has_no_funding(operation):
    found = assets.access_point_funding(AccessPointFactory())
    assert (found.asset, found.claims, found.warnings, found.window) == (None, [], [], None)


def test_serial_numbers_are_read_one_a_line_or_separated_by_spaces_commas_or_semicolons():
    assert assets.serials_parse("U6-0001\r\nU6-0002, U6-0003;U6-0004  U6-0005\n\n") == [
        "U6-0001", "U6-0002", "U6-0003", "U6-0004", "U6-0005"
    ]  # fmt: skip


def test_the_admin_reads_the_register_and_its_warnings_but_never_writes_past_the_services(client, operation):
    """Registering (the inventory's serial numbers, the line's quantity) and acknowledging (who and when) are the
    back-office's: the admin neither adds nor edits them."""
    from django.contrib import admin

    from funding.models import DurabilityWarning
    from tests.factories import AgentFactory
    from tests.funding.factories import DurabilityWarningFactory

    superuser = AgentFactory(is_staff=True, is_superuser=True)
    request = type("R", (), {"user": superuser})()
    for model in (Asset, DurabilityWarning):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert {"invoice_line", "access_point", "acknowledged_by", "kind"} & set(model_admin.readonly_fields)
    warning = DurabilityWarningFactory()
    assert not admin.site._registry[DurabilityWarning].has_delete_permission(request, warning)
    assert set(admin.site._registry[Asset].readonly_fields) == {
        "invoice_line", "kind", "label", "serial_number", "access_point", "site"
    }  # fmt: skip
