"""The access-point inventory: adding and editing one access point, CSV import and export, lifecycle moves.

The CSV is what ops exchange with the installer: one line per access point, upserted by serial
number. The import checks every line before writing anything, so a file with one bad line
changes nothing (unless `partial`), and importing the same file twice changes nothing the second
time. The export writes the same columns, so an export can be edited and imported back.
"""

import contextlib
import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import csv as core_csv
from core.csv import escape_cell, unescape_cell
from core.mac import normalise_mac
from sites.audit import acting_as, audited_save
from sites.models import Agent, Site
from wifi.models import LIFECYCLE_DATE_FIELDS, AccessPoint, Lifecycle
from wifi.probes.loading import probe_classes

# CSV column -> model field. "model" is the column name installers use; the field is hardware_model.
COLUMNS: dict[str, str] = {
    "site": "site",
    "zone": "zone",
    "label": "label",
    "vendor": "vendor",
    "model": "hardware_model",
    "serial_number": "serial_number",
    "mac_address": "mac_address",
    "management_address": "management_address",
    "probe_kind": "probe_kind",
    "probe_port": "probe_port",
    "credential_name": "credential_name",
    "lifecycle": "lifecycle",
    "planned_on": "planned_on",
    "ordered_on": "ordered_on",
    "installed_on": "installed_on",
    "accepted_on": "accepted_on",
    "in_service_on": "in_service_on",
    "notes": "notes",
}
REQUIRED_COLUMNS = ("site", "label", "serial_number")
_TEXT_COLUMNS = ("label", "vendor", "model", "management_address", "credential_name", "notes")
_DATE_COLUMNS = ("planned_on", "ordered_on", "installed_on", "accepted_on", "in_service_on")
_FRENCH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class LineStatus(models.TextChoices):
    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    UNCHANGED = "unchanged", "unchanged"
    ERROR = "error", "error"


@dataclass
class ImportLine:
    """What the import found (or did) on one line of the file; `line` is the line number in the file."""

    line: int
    serial_number: str = ""
    status: str = LineStatus.UNCHANGED
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # CSV columns that change
    instance: AccessPoint | None = field(default=None, repr=False)


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)  # the file itself is unreadable: nothing imported
    partial: bool = False
    dry_run: bool = False
    imported: bool = False  # whether the valid lines were written (always False on a dry run)

    def _count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def created(self) -> int:
        return self._count(LineStatus.CREATED)

    @property
    def updated(self) -> int:
        return self._count(LineStatus.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(LineStatus.UNCHANGED)

    @property
    def errors(self) -> int:
        return self._count(LineStatus.ERROR)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.errors)

    @property
    def refused(self) -> bool:
        """Errors kept the whole file out (all-or-nothing mode, or an unreadable file)."""
        return bool(self.file_errors) or (self.errors > 0 and not self.partial)


class CsvFormatError(ValueError):
    """The file cannot be read as an inventory CSV at all (encoding, header)."""


# --- Reading ---------------------------------------------------------------------------------------


def _decode(file: IO) -> str:
    data = file.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(_("The file is not UTF-8 text (save it as “CSV UTF-8”).")) from exc
    return data.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:
        # The sniffer gives up on one-column or very regular files: the header line decides.
        header = sample.splitlines()[0] if sample else ""
        return ";" if header.count(";") >= header.count(",") else ","


def read_csv(file: IO) -> list[tuple[int, dict[str, str]]]:
    """The data lines of an inventory CSV as (line number in the file, {column: cell})."""
    text = _decode(file)
    if not text.strip():
        raise CsvFormatError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [name.strip().lower() for name in next(reader)]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise CsvFormatError(
            _("Unknown columns: %(columns)s. Expected columns: %(expected)s.")
            % {"columns": ", ".join(unknown), "expected": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CsvFormatError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num  # the last physical line of the record (a quoted note may span lines)
        rows.append((line, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}))
    return rows


def _cell(row: dict[str, str], column: str) -> str:
    # The export defused formulas with a leading apostrophe (core.csv): take it off again.
    return unescape_cell((row.get(column) or "").strip())


def _parse_date(value: str) -> datetime.date:
    try:
        if _ISO_DATE.fullmatch(value):
            return datetime.date.fromisoformat(value)
        if _FRENCH_DATE.fullmatch(value):
            day, month, year = (int(part) for part in value.split("/"))
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise ValueError(value)


# --- Import ----------------------------------------------------------------------------------------


class _Context:
    """Everything the lines are checked against, loaded once for the whole file."""

    def __init__(self, rows: list[tuple[int, dict[str, str]]]):
        slugs = {_cell(row, "site").lower() for _line, row in rows}
        serials = {_cell(row, "serial_number") for _line, row in rows}
        self.sites = {site.slug: site for site in Site.objects.filter(slug__in=slugs).prefetch_related("zones")}
        self.zones = {
            (site.pk, zone.name.casefold()): zone for site in self.sites.values() for zone in site.zones.all()
        }
        existing = AccessPoint.objects.filter(serial_number__in=serials).select_related("site", "zone")
        self.by_serial = {ap.serial_number: ap for ap in existing}
        macs = set()
        for _line, row in rows:
            with contextlib.suppress(ValidationError):
                macs.add(normalise_mac(_cell(row, "mac_address")))
        self.mac_owner = dict(
            AccessPoint.objects.filter(mac_address__in=macs).values_list("mac_address", "serial_number")
        )
        self.label_owner = {
            (site_id, label.casefold()): serial
            for site_id, label, serial in AccessPoint.objects.filter(site__in=self.sites.values()).values_list(
                "site_id", "label", "serial_number"
            )
        }
        self.credentials = set(settings.WIFI_CREDENTIALS)


def _check_line(line: int, row: dict[str, str], ctx: _Context, seen: dict[str, Counter]) -> ImportLine:
    result = ImportLine(line=line, serial_number=_cell(row, "serial_number"))
    errors = result.errors
    for column in REQUIRED_COLUMNS:
        if not _cell(row, column):
            errors.append(_("The column “%(column)s” is empty.") % {"column": column})

    serial = result.serial_number
    if serial and seen["serial"][serial] > 1:
        errors.append(_("The serial number %(serial)s appears on several lines.") % {"serial": serial})

    site = None
    slug = _cell(row, "site").lower()
    if slug:
        site = ctx.sites.get(slug)
        if site is None:
            errors.append(_("Unknown site “%(slug)s”.") % {"slug": slug})

    values: dict[str, Any] = {}
    if site is not None:
        values["site"] = site
    if "zone" in row:
        zone_name = _cell(row, "zone")
        values["zone"] = None
        if zone_name and site is not None:
            values["zone"] = ctx.zones.get((site.pk, zone_name.casefold()))
            if values["zone"] is None:
                errors.append(
                    _("The site “%(site)s” has no zone named “%(zone)s”.") % {"site": site.slug, "zone": zone_name}
                )
    for column in _TEXT_COLUMNS:
        if column in row:
            values[COLUMNS[column]] = _cell(row, column)
    if serial:
        values["serial_number"] = serial

    if "mac_address" in row:
        raw_mac = _cell(row, "mac_address")
        values["mac_address"] = None
        if raw_mac:
            try:
                mac = normalise_mac(raw_mac)
            except ValidationError:
                errors.append(_("“%(value)s” is not a MAC address (12 hexadecimal digits).") % {"value": raw_mac})
            else:
                values["mac_address"] = mac
                owner = ctx.mac_owner.get(mac)
                if seen["mac"][mac] > 1:
                    errors.append(_("The MAC address %(mac)s appears on several lines.") % {"mac": mac})
                elif owner and owner != serial:
                    errors.append(
                        _("The MAC address %(mac)s is already used by the access point %(serial)s.")
                        % {"mac": mac, "serial": owner}
                    )

    for column, choices, default in (
        ("probe_kind", list(probe_classes()), AccessPoint._meta.get_field("probe_kind").default),
        ("lifecycle", Lifecycle.values, Lifecycle.PLANNED),
    ):
        if column not in row:
            continue
        raw = _cell(row, column).lower()
        if not raw:
            # Empty: keep what the access point has, or the default for a new one.
            if serial not in ctx.by_serial:
                values[column] = default
        elif raw in choices:
            values[column] = raw
        else:
            errors.append(
                _("“%(value)s” is not a valid %(column)s (expected one of: %(choices)s).")
                % {"value": raw, "column": column, "choices": ", ".join(choices)}
            )

    if "probe_port" in row:
        raw_port = _cell(row, "probe_port")
        values["probe_port"] = None
        if raw_port:
            if raw_port.isdigit() and 1 <= int(raw_port) <= 65535:
                values["probe_port"] = int(raw_port)
            else:
                errors.append(_("“%(value)s” is not a port number (1 to 65535).") % {"value": raw_port})

    for column in _DATE_COLUMNS:
        if column not in row:
            continue
        raw_date = _cell(row, column)
        values[column] = None
        if raw_date:
            try:
                values[column] = _parse_date(raw_date)
            except ValueError:
                errors.append(
                    _("“%(value)s” in %(column)s is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                    % {"value": raw_date, "column": column}
                )

    label = values.get("label", "")
    if site is not None and label:
        key = (site.pk, label.casefold())
        owner = ctx.label_owner.get(key)
        if seen["label"][(site.slug, label.casefold())] > 1:
            errors.append(
                _("The label “%(label)s” appears on several lines for the site %(site)s.")
                % {"label": label, "site": site.slug}
            )
        elif owner and owner != serial:
            errors.append(
                _("The site %(site)s already has an access point labelled “%(label)s” (%(serial)s).")
                % {"site": site.slug, "label": label, "serial": owner}
            )

    credential = values.get("credential_name")
    if credential and credential not in ctx.credentials:
        result.warnings.append(
            _("The credential set “%(name)s” is not configured (WIFI_CREDENTIALS): polling will fail until it is.")
            % {"name": credential}
        )

    if errors:
        result.status = LineStatus.ERROR
        return result

    existing = ctx.by_serial.get(serial)
    instance = existing or AccessPoint()
    before = {name: getattr(instance, name) for name in values if existing}
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        # Uniqueness and constraints were checked above against the whole file, with clearer messages.
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = {model_field: column for column, model_field in COLUMNS.items()}
        for name, messages in exc.message_dict.items():
            prefix = "" if name == "__all__" else f"{fields.get(name, name)}: "
            errors.extend(prefix + message for message in messages)
        result.status = LineStatus.ERROR
        if existing:  # leave the loaded object as the database has it
            for name, value in before.items():
                setattr(existing, name, value)
        return result

    result.instance = instance
    if existing is None:
        result.status = LineStatus.CREATED
    else:
        columns = {model_field: column for column, model_field in COLUMNS.items()}
        result.changed = [columns[name] for name, value in before.items() if getattr(instance, name) != value]
        result.status = LineStatus.UPDATED if result.changed else LineStatus.UNCHANGED
    return result


def aps_import(
    *,
    rows: Iterable[dict[str, str]] | None = None,
    file: IO | None = None,
    partial: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every line of an inventory CSV, then upsert the access points by serial number.

    Give `file` (text or bytes, UTF-8 with or without BOM, `;` or `,`) or `rows` (dicts keyed by
    column, numbered from line 2 as under a header). Any line in error and not `partial`: nothing
    is written. `progress(done, total)` is called after each line written.

    The import sets the lifecycle as the file says: it loads what the installer reports, whereas
    `access_point_move()` is the rule for an agent moving one access point on.
    """
    report = ImportReport(partial=partial, dry_run=dry_run)
    try:
        numbered = read_csv(file) if file is not None else [(i, dict(row)) for i, row in enumerate(rows or (), 2)]
    except CsvFormatError as exc:
        report.file_errors.append(str(exc))
        return report
    numbered = [(line, {k.strip().lower(): v or "" for k, v in row.items() if k}) for line, row in numbered]

    ctx = _Context(numbered)
    seen = {"serial": Counter(), "mac": Counter(), "label": Counter()}
    for _line, row in numbered:
        seen["serial"][_cell(row, "serial_number")] += 1
        seen["label"][(_cell(row, "site").lower(), _cell(row, "label").casefold())] += 1
        with contextlib.suppress(ValidationError):
            seen["mac"][normalise_mac(_cell(row, "mac_address"))] += 1
    report.lines = [_check_line(line, row, ctx, seen) for line, row in numbered]

    if dry_run or report.refused:
        return report
    _write(report, progress)
    return report


def _write(report: ImportReport, progress: Callable[[int, int], None] | None) -> None:
    to_save = [line for line in report.lines if line.status in (LineStatus.CREATED, LineStatus.UPDATED)]
    try:
        with transaction.atomic():
            for done, line in enumerate(to_save, 1):
                try:
                    # A savepoint per line: with `partial`, a line the database refuses (a constraint
                    # raced by another writer) is reported and the others still go in.
                    with transaction.atomic():
                        line.instance.save()
                except IntegrityError as exc:
                    line.status = LineStatus.ERROR
                    line.errors.append(_("The database refused this line: %(error)s") % {"error": exc})
                    if not report.partial:
                        raise
                if progress:
                    progress(done, len(to_save))
    except IntegrityError:
        report.imported = False
        return
    report.imported = True


# --- Export ----------------------------------------------------------------------------------------


def _export_cell(value: Any) -> str:
    return str(escape_cell(value))


def aps_export(queryset: models.QuerySet[AccessPoint]) -> Iterator[list[str]]:
    """The header, then one row per access point, in the columns `aps_import` reads."""
    yield list(COLUMNS)
    for ap in queryset.select_related("site", "zone").order_by("site__mds__number", "site__number", "label"):
        values = {
            "site": ap.site.slug,
            "zone": ap.zone.name if ap.zone else "",
            **{column: getattr(ap, model_field) for column, model_field in COLUMNS.items()
               if column not in ("site", "zone")},
        }  # fmt: skip
        yield [_export_cell(values[column]) for column in COLUMNS]


def aps_csv_response(queryset: models.QuerySet[AccessPoint]):
    """The inventory CSV of `queryset` as a download (the page and the admin action send the same file); the
    import skips the BOM and the apostrophes core.csv puts before formulas."""
    return core_csv.csv_response(aps_export(queryset), filename=f"bornes-wifi-{timezone.localdate():%Y-%m-%d}.csv")


# --- Lifecycle -------------------------------------------------------------------------------------

_FORWARD = [Lifecycle.PLANNED, Lifecycle.ORDERED, Lifecycle.INSTALLED, Lifecycle.ACCEPTED, Lifecycle.IN_SERVICE]


def allowed_moves(current: str) -> list[Lifecycle]:
    """The steps an access point at `current` may move to.

    Forward along planned → ordered → installed → accepted → in service (skipping steps is
    allowed: an AP delivered and installed the same day), in service ↔ faulty, and any step to
    retired. Never backwards: a step reached stays recorded with its date.
    """
    current = Lifecycle(current)
    if current == Lifecycle.RETIRED:
        return []
    moves = []
    if current in _FORWARD:
        moves += _FORWARD[_FORWARD.index(current) + 1 :]
    if current == Lifecycle.IN_SERVICE:
        moves.append(Lifecycle.FAULTY)
    if current == Lifecycle.FAULTY:
        moves.append(Lifecycle.IN_SERVICE)
    moves.append(Lifecycle.RETIRED)
    return moves


# --- One access point ------------------------------------------------------------------------------


@transaction.atomic
def access_point_save(*, actor: Agent, access_point: AccessPoint) -> AccessPoint:
    """Add an access point, or save one changed in place, from the inventory page or the admin.

    Checked as a whole first (its zone on its site, an address to poll once it is in service, the MAC
    written one way), so a caller that skipped a form's checks cannot store what polling would misread.
    """
    return audited_save(access_point, actor=actor)


@transaction.atomic
def access_point_move(*, actor: Agent, access_point: AccessPoint, to: str, on: datetime.date) -> AccessPoint:
    """Move an access point to the lifecycle step `to`, recording `on` as the date it got there.

    The row is locked and its step read again, so two agents moving the same AP at once cannot
    both move it from the same step. Raises ValidationError when the move is not allowed.
    """
    to = Lifecycle(to)
    locked = AccessPoint.objects.select_for_update(of=("self",)).select_related("site", "zone").get(pk=access_point.pk)
    if to not in allowed_moves(locked.lifecycle):
        raise ValidationError(
            _("An access point cannot go from “%(current)s” to “%(target)s”.")
            % {"current": Lifecycle(locked.lifecycle).label, "target": to.label},
            code="lifecycle_move",
        )
    locked.lifecycle = to
    setattr(locked, LIFECYCLE_DATE_FIELDS[to], on)
    locked.full_clean()
    with acting_as(actor):
        locked.save()
    access_point.refresh_from_db()
    return locked
