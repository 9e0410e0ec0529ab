"""The asset register: each access point, server and licence bought, tied to the invoice line that paid for it.

An on-the-spot check (contrôle sur place) goes both ways: from an invoice line to the access points on the wall —
their site, zone and step in the WiFi inventory — and from an access point's serial number back to its invoice,
supplier, price, contract and payment claim.

Access points are registered by their serial numbers as the WiFi inventory knows them (wifi.AccessPoint): a serial
number the inventory does not have is refused, and so is an access point already registered (on this line or
another: the `access_point` link is one-to-one). Servers and licences are registered by label, serial number and
site. A line never holds more assets than its quantity: the line is locked while it is counted, so two people
registering at once cannot both take its last place.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funding.durability import DurabilityWindow, durability_window
from funding.models import Asset, ClaimedInvoice, DurabilityWarning, InvoiceLine, ItemKind
from sites.audit import acting_as
from sites.models import Agent, Site
from wifi.models import AccessPoint

# Kinds of line whose items are assets; a service (a study, an installation) is not.
EQUIPMENT_KINDS = (ItemKind.ACCESS_POINT, ItemKind.SERVER, ItemKind.LICENCE, ItemKind.OTHER)
_SERIAL_SEPARATORS = re.compile(r"[\s,;]+")


def serials_parse(text: str) -> list[str]:
    """The serial numbers typed or pasted in a box: one a line, or separated by spaces, commas or semicolons."""
    return [serial for serial in _SERIAL_SEPARATORS.split(text or "") if serial]


def _line_locked(invoice_line: InvoiceLine) -> InvoiceLine:
    """The line, locked until the transaction ends: its assets are counted and added under this lock."""
    return (
        InvoiceLine.objects.select_for_update(of=("self",)).select_related("invoice__supplier").get(pk=invoice_line.pk)
    )


def _quantity_text(quantity: Decimal) -> str:
    return number_format(quantity.normalize() if quantity == quantity.to_integral() else quantity)


def _check_room(line: InvoiceLine, adding: int) -> None:
    """The line's quantity bounds its assets: an invoice for 12 access points registers 12, never 13."""
    registered = line.assets.count()
    if registered + adding > line.quantity:
        raise ValidationError(
            ngettext(
                "This line is for %(quantity)s item and already has %(registered)s in the register: "
                "%(adding)s more would exceed its quantity.",
                "This line is for %(quantity)s items and already has %(registered)s in the register: "
                "%(adding)s more would exceed its quantity.",
                int(line.quantity) or 1,
            )
            % {"quantity": _quantity_text(line.quantity), "registered": registered, "adding": adding},
            code="over_quantity",
        )


def _saved(asset: Asset, *, actor: Agent) -> Asset:
    """Saved with its audit entry; a savepoint turns another writer's registration of the same AP or serial
    (between the check and the write) into the same clear refusal."""
    try:
        with transaction.atomic(), acting_as(actor):
            asset.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("%(asset)s was registered by someone else meanwhile: nothing was registered.") % {"asset": asset},
            code="registered_meanwhile",
        ) from exc
    return asset


@transaction.atomic
def access_points_register(*, actor: Agent, invoice_line: InvoiceLine, serial_numbers: Sequence[str]) -> list[Asset]:
    """Register the access points of `serial_numbers` (from the WiFi inventory) as bought on `invoice_line`.

    All or nothing: any serial number refused (unknown, already registered, given twice, one too many for the
    line's quantity) and none is registered; the ValidationError lists every reason.
    """
    line = _line_locked(invoice_line)
    if line.kind != ItemKind.ACCESS_POINT:
        raise ValidationError(
            _("This invoice line is not for access points (%(kind)s).") % {"kind": line.get_kind_display()},
            code="not_access_points",
        )
    serials = [serial.strip() for serial in serial_numbers if serial.strip()]
    if not serials:
        raise ValidationError(_("Give at least one serial number."), code="no_serial")
    errors = []
    twice = sorted({serial for serial in serials if serials.count(serial) > 1})
    errors += [_("The serial number “%(serial)s” is given twice.") % {"serial": serial} for serial in twice]
    serials = list(dict.fromkeys(serials))
    found = {ap.serial_number: ap for ap in AccessPoint.objects.filter(serial_number__in=serials)}
    errors += [
        _(
            "The serial number “%(serial)s” is not in the WiFi inventory: add the access point to the inventory "
            "first, or check the number on the delivery note."
        )
        % {"serial": serial}
        for serial in serials
        if serial not in found
    ]
    registered = Asset.objects.filter(access_point__in=found.values()).select_related("invoice_line__invoice")
    for asset in registered:
        if asset.invoice_line_id == line.pk:
            errors.append(
                _("The access point “%(serial)s” is already registered on this line.")
                % {"serial": asset.access_point.serial_number}
            )
        else:
            errors.append(
                _("The access point “%(serial)s” is already registered on another line: %(line)s.")
                % {"serial": asset.access_point.serial_number, "line": asset.invoice_line}
            )
    if errors:
        raise ValidationError(errors)
    _check_room(line, len(serials))
    return [
        _saved(Asset(invoice_line=line, kind=line.kind, serial_number=serial, access_point=found[serial]), actor=actor)
        for serial in serials
    ]


@transaction.atomic
def asset_register(
    *, actor: Agent, invoice_line: InvoiceLine, label: str, serial_number: str = "", site: Site | None = None
) -> Asset:
    """Register a server, a licence or another piece of equipment bought on `invoice_line`, where it is."""
    line = _line_locked(invoice_line)
    if line.kind == ItemKind.ACCESS_POINT:
        raise ValidationError(
            _("Access points are registered by their serial numbers from the WiFi inventory."), code="access_points"
        )
    if line.kind not in EQUIPMENT_KINDS:
        raise ValidationError(
            _("This invoice line is for a service, not for equipment: it has no asset to register."), code="service"
        )
    asset = Asset(
        invoice_line=line, kind=line.kind, label=label.strip(), serial_number=serial_number.strip(), site=site
    )
    if not asset.label:
        raise ValidationError({"label": _("Give the asset's label (e.g. “Portal server”).")}, code="no_label")
    asset.full_clean(exclude=["access_point"])
    _check_room(line, 1)
    return _saved(asset, actor=actor)


# --- Reading ---------------------------------------------------------------------------------------


def equipment_lines(queryset: QuerySet[InvoiceLine]) -> QuerySet[InvoiceLine]:
    """Invoice lines of equipment, each with how many of its items are registered (`registered`)."""
    return (
        queryset.filter(kind__in=EQUIPMENT_KINDS)
        .select_related("invoice__supplier")
        .annotate(registered=Count("assets"))
        .order_by("invoice__issued_on", "invoice__number", "position")
    )


@dataclass(frozen=True)
class LineAssets:
    """An invoice line as an on-the-spot check reads it: what it bought and where those items are now."""

    line: InvoiceLine
    assets: list[Asset]
    claims: list[ClaimedInvoice]
    window: DurabilityWindow

    @property
    def room(self) -> Decimal:
        return max(self.line.quantity - len(self.assets), Decimal(0))


def line_assets(invoice_line: InvoiceLine) -> LineAssets:
    """The line, its registered assets (access points with their site, zone and step) and its invoice's claims."""
    line = InvoiceLine.objects.select_related(
        "invoice__supplier", "invoice__contract", "invoice__order", "invoice__expense_line", "invoice__operation"
    ).get(pk=invoice_line.pk)
    assets = list(
        Asset.objects.filter(invoice_line=line)
        .select_related("access_point__site__mds", "access_point__zone", "site__mds")
        .order_by("serial_number", "label", "pk")
    )
    return LineAssets(line=line, assets=assets, claims=_claims(line), window=durability_window(line.invoice.operation))


def _claims(line: InvoiceLine) -> list[ClaimedInvoice]:
    return list(
        ClaimedInvoice.objects.filter(invoice=line.invoice_id).select_related("claim").order_by("claim__number")
    )


@dataclass(frozen=True)
class AccessPointFunding:
    """An access point on the wall, read back to what paid for it; `asset` None when nobody registered it."""

    access_point: AccessPoint
    asset: Asset | None
    claims: list[ClaimedInvoice]
    warnings: list[DurabilityWarning]
    window: DurabilityWindow | None


def access_point_funding(access_point: AccessPoint) -> AccessPointFunding:
    asset = (
        Asset.objects.with_register()
        .select_related("invoice_line__invoice__operation", "invoice_line__invoice__expense_line")
        .filter(access_point=access_point)
        .first()
    )
    if asset is None:
        return AccessPointFunding(access_point=access_point, asset=None, claims=[], warnings=[], window=None)
    return AccessPointFunding(
        access_point=access_point,
        asset=asset,
        claims=_claims(asset.invoice_line),
        warnings=list(asset.warnings.select_related("acknowledged_by").order_by("-occurred_at")),
        window=durability_window(asset.invoice_line.invoice.operation),
    )


def asset_status(asset: Asset) -> str:
    """The access point's step in the WiFi inventory, as the register shows it ("" for a server or licence)."""
    if not asset.access_point_id:
        return ""
    return asset.access_point.get_lifecycle_display()


# --- CSV -------------------------------------------------------------------------------------------


def register_csv_rows(assets: QuerySet[Asset]) -> Iterator[list[Any]]:
    """The register as its page lists it, one asset a row: what it is, where it is, what paid for it."""
    yield [
        _("Kind"), _("Serial number"), _("Label"), _("MDS"), _("Site"), _("Zone"), _("Status in the WiFi inventory"),
        _("Retired on"), _("Supplier"), _("Invoice"), _("Invoice date"), _("Invoice line"), _("Description"),
        _("Unit price HT"), _("Contract"),
    ]  # fmt: skip
    for asset in assets.with_register().order_by("invoice_line__invoice__issued_on", "invoice_line_id", "pk"):
        line, invoice = asset.invoice_line, asset.invoice_line.invoice
        ap = asset.access_point
        place = asset.place
        yield [
            asset.get_kind_display(),
            asset.serial_number,
            ap.label if ap else asset.label,
            place.mds.name if place else "",
            str(place) if place else "",
            ap.zone.name if ap and ap.zone else "",
            asset_status(asset),
            ap.retired_on if ap else None,
            invoice.supplier.name,
            invoice.number,
            invoice.issued_on,
            line.position,
            line.description,
            line.unit_price,
            invoice.contract.number if invoice.contract else "",
        ]
