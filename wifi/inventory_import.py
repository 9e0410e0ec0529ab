"""The inventory CSV import: one line per access point, upserted by serial number.

The CSV is what ops exchange with the installer. Every line is checked first, against what is loaded
once for the whole file (sites, zones, the access points already known, the credential sets), and
nothing is written while checking; then the valid lines are written in bulk, in one transaction, with one
audit entry for the import (`InventoryImport`, with its counts). A file with one bad line changes
nothing unless `partial`, and importing the same file twice changes nothing the second time. The
command (`manage.py import_aps`) and the back-office page both call `aps_import()`.
"""

import csv
import datetime
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.csv import unescape_cell
from core.mac import normalise_mac
from sites.audit import audited_save
from sites.models import Agent, Site
from wifi.models import AccessPoint, InventoryImport, Lifecycle
from wifi.probes.loading import probe_class, probe_classes
from wifi.signals import AccessPointChange, access_points_changed

# CSV column -> model field. "model" is the column name installers use; the field is hardware_model.
# The export writes these columns, in this order.
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
    "interfaces": "probe_settings",
    "clients_oid": "probe_settings",
    "clients_oid_walk": "probe_settings",
    "lifecycle": "lifecycle",
    "planned_on": "planned_on",
    "ordered_on": "ordered_on",
    "installed_on": "installed_on",
    "accepted_on": "accepted_on",
    "in_service_on": "in_service_on",
    "notes": "notes",
}
# Read, never written by the export: a community is a secret. It names the credential set that holds it.
IMPORT_ONLY_COLUMNS = ("community",)
REQUIRED_COLUMNS = ("site", "label", "serial_number")
# Columns that set one key of the AP's probe_settings (the SNMP drivers' settings, wifi/probes/snmp.py).
PROBE_SETTING_COLUMNS = {
    "interfaces": "if_indexes",
    "clients_oid": "clients_oid",
    "clients_oid_walk": "clients_oid_walk",
}
_TEXT_COLUMNS = ("label", "vendor", "model", "management_address", "credential_name", "notes")
_DATE_COLUMNS = ("planned_on", "ordered_on", "installed_on", "accepted_on", "in_service_on")
_FRENCH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LIST_SEPARATORS = re.compile(r"[\s,;|/+]+")
_YES = frozenset({"yes", "oui", "true", "vrai", "1", "o", "y"})
_NO = frozenset({"no", "non", "false", "faux", "0", "n"})
WARNING_LINES_SHOWN = 5  # line numbers given with a grouped warning


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
    # Where a known access point was and its step before the line changed them (wifi.signals.AccessPointChange).
    site_before_id: int | None = None
    lifecycle_before: str = ""


@dataclass(frozen=True)
class WarningGroup:
    """One warning and the lines that have it: 9,000 lines naming the same missing set are one message."""

    message: str
    count: int
    first_lines: list[int]

    @property
    def more(self) -> bool:
        """More lines have it than `first_lines` names."""
        return self.count > len(self.first_lines)

    @property
    def lines_text(self) -> str:
        """The first line numbers, "3, 4, 5, 6, 7, …" when there are more."""
        return ", ".join(str(n) for n in self.first_lines) + (", …" if self.more else "")


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)  # the file itself is unreadable: nothing imported
    partial: bool = False
    dry_run: bool = False
    imported: bool = False  # whether the valid lines were written (always False on a dry run)
    encoding: str = ""  # how the file's bytes were read: "UTF-8", "UTF-8 (BOM)", "Windows-1252"
    stale: bool = False  # `expected_plan` was given and the file would now do something else: nothing written
    record: InventoryImport | None = None  # the audit record of a written import

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

    @property
    def error_lines(self) -> list[ImportLine]:
        return [line for line in self.lines if line.errors]

    @property
    def changed_lines(self) -> list[ImportLine]:
        return [line for line in self.lines if line.status in (LineStatus.CREATED, LineStatus.UPDATED)]

    def grouped_warnings(self) -> list[WarningGroup]:
        """Each distinct warning once, with how many lines have it and the first few line numbers."""
        lines: dict[str, list[int]] = {}
        for line in self.lines:
            for warning in line.warnings:
                lines.setdefault(warning, []).append(line.line)
        return [WarningGroup(message, len(found), found[:WARNING_LINES_SHOWN]) for message, found in lines.items()]

    def plan(self) -> str:
        """A digest of what writing would do, line by line: the back-office's confirmation must match its preview."""
        digest = hashlib.sha256()
        for line in self.lines:
            digest.update(
                f"{line.line}\x1f{line.serial_number}\x1f{line.status}\x1f{','.join(line.changed)}\n".encode()
            )
        for error in self.file_errors:
            digest.update(f"!{error}\n".encode())
        return digest.hexdigest()


class CsvFormatError(ValueError):
    """The file cannot be read as an inventory CSV at all (encoding, header)."""


# --- Reading ---------------------------------------------------------------------------------------


def decode(data: bytes | str) -> tuple[str, str]:
    """(text, encoding read): UTF-8 with or without BOM, else Windows-1252, what French Excel writes for "CSV".

    Bytes that are valid UTF-8 are taken as UTF-8: a Windows-1252 file with accents is almost never valid UTF-8
    (é is 0xE9, which UTF-8 never has alone), so the guess is safe.
    """
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), ""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise CsvFormatError(_("The file starts as UTF-8 but is not UTF-8 text further on.")) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            _("The file is neither UTF-8 nor Windows-1252 text: save it as “CSV UTF-8” or “CSV (separator: ;)”.")
        ) from exc


def _delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:
        # The sniffer gives up on one-column or very regular files: the header line decides.
        header = sample.splitlines()[0] if sample else ""
        return ";" if header.count(";") >= header.count(",") else ","


def read_csv(text: str) -> list[tuple[int, dict[str, str]]]:
    """The data lines of an inventory CSV as (line number in the file, {column: cell})."""
    if not text.strip():
        raise CsvFormatError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [name.strip().lower() for name in next(reader)]
    unknown = [name for name in header if name and name not in COLUMNS and name not in IMPORT_ONLY_COLUMNS]
    if unknown:
        raise CsvFormatError(
            _("Unknown columns: %(columns)s. Expected columns: %(expected)s.")
            % {"columns": ", ".join(unknown), "expected": ", ".join([*COLUMNS, *IMPORT_ONLY_COLUMNS])}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CsvFormatError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    named = [(i, name) for i, name in enumerate(header) if name]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num  # the last physical line of the record (a quoted note may span lines)
        # The export defused formulas with a leading apostrophe (core.csv): take it off again.
        rows.append((line, {name: unescape_cell(cells[i].strip()) if i < len(cells) else "" for i, name in named}))
    return rows


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


def _mac_or_none(value: str) -> str | None:
    try:
        return normalise_mac(value) if value else None
    except ValidationError:
        return None


# --- Checking --------------------------------------------------------------------------------------


class _Context:
    """Everything the lines are checked against, loaded once for the whole file (a fixed number of queries)."""

    def __init__(self, rows: list[tuple[int, dict[str, str]]], actor: Agent | None):
        slugs = {row.get("site", "").lower() for _line, row in rows}
        serials = {row.get("serial_number", "") for _line, row in rows}
        self.sites = {site.slug: site for site in Site.objects.filter(slug__in=slugs).prefetch_related("zones")}
        self.zones = {
            (site.pk, zone.name.casefold()): zone for site in self.sites.values() for zone in site.zones.all()
        }
        existing = AccessPoint.objects.filter(serial_number__in=serials).select_related("site", "zone")
        self.by_serial = {ap.serial_number: ap for ap in existing}
        macs = {mac for _line, row in rows if (mac := _mac_or_none(row.get("mac_address", "")))}
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
        self.by_community: dict[str, str] = {}
        for name in sorted(settings.WIFI_CREDENTIALS, reverse=True):  # several sets with one community: the first
            community = (settings.WIFI_CREDENTIALS[name] or {}).get("community")
            if community:
                self.by_community[str(community)] = name
        self.kinds = list(probe_classes())
        self.default_kind = AccessPoint._meta.get_field("probe_kind").default
        self.actor = actor
        self._allowed: dict[tuple[str, int], bool] = {}
        self._warnings: dict[str, str] = {}

    def may(self, perm: str, site: Site) -> bool:
        """Whether the actor may `perm` on the access points of `site` (no actor: a command run on the server)."""
        if self.actor is None:
            return True
        key = (perm, site.pk)
        if key not in self._allowed:
            self._allowed[key] = self.actor.has_perm(perm, site)
        return self._allowed[key]

    def missing_credential_warning(self, name: str) -> str:
        # One string per name, shared by every line that has it: grouping is then by identity, and cheap.
        if name not in self._warnings:
            self._warnings[name] = _(
                "The credential set “%(name)s” is not configured (WIFI_CREDENTIALS): polling will fail until it is."
            ) % {"name": name}
        return self._warnings[name]


def _probe_setting(column: str, raw: str) -> Any:
    """The value a probe-setting column gives its key, or ValueError."""
    if column == "interfaces":
        parts = [part for part in _LIST_SEPARATORS.split(raw) if part]
        if not all(part.isdigit() for part in parts):
            raise ValueError(raw)
        return [int(part) for part in parts]
    if column == "clients_oid_walk":
        word = raw.lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise ValueError(raw)
    return raw


_PROBE_SETTING_ERRORS = {
    "interfaces": gettext_lazy("“%(value)s” in interfaces is not a list of interface numbers (e.g. “1 2”)."),
    "clients_oid_walk": gettext_lazy("“%(value)s” in clients_oid_walk is neither yes nor no (oui, non)."),
}


def _check_probe(row: dict[str, str], values: dict[str, Any], existing: AccessPoint | None, ctx, errors) -> None:
    """The polling columns: method, community or credential set, and the settings the method's driver accepts."""
    kind = values.get("probe_kind") or (existing.probe_kind if existing else ctx.default_kind)
    given = {column: row[column] for column in PROBE_SETTING_COLUMNS if column in row}
    driver = probe_class(kind)
    if not given and not (existing and kind != existing.probe_kind):
        return
    settings_before = dict(existing.probe_settings) if existing else {}
    probe_settings = settings_before
    if driver is not None and existing and kind != existing.probe_kind:
        # A new method starts from the settings it understands: another driver's keys would only be refused.
        probe_settings = {key: value for key, value in settings_before.items() if key in driver.settings_types}
    for column, raw in given.items():
        key = PROBE_SETTING_COLUMNS[column]
        if not raw:
            probe_settings.pop(key, None)
            continue
        try:
            probe_settings[key] = _probe_setting(column, raw)
        except ValueError:
            errors.append(str(_PROBE_SETTING_ERRORS[column]) % {"value": raw})
            continue
        if driver is not None and key not in driver.settings_types:
            errors.append(
                _("The column “%(column)s” does not apply to the polling method “%(method)s”.")
                % {"column": column, "method": driver.label or kind}
            )
    if driver is not None:
        try:
            probe_settings = driver.clean_settings(probe_settings)
        except ValidationError as exc:
            errors.extend(_("Polling settings: %(error)s") % {"error": message} for message in exc.messages)
    values["probe_settings"] = probe_settings


def _check_line(line: int, row: dict[str, str], ctx: _Context, seen: dict[str, Counter]) -> ImportLine:
    serial = row.get("serial_number", "")
    result = ImportLine(line=line, serial_number=serial)
    errors = result.errors
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            errors.append(_("The column “%(column)s” is empty.") % {"column": column})

    if serial and seen["serial"][serial] > 1:
        errors.append(_("The serial number %(serial)s appears on several lines.") % {"serial": serial})
    existing = ctx.by_serial.get(serial)

    site = None
    slug = row.get("site", "").lower()
    if slug:
        site = ctx.sites.get(slug)
        if site is None:
            errors.append(_("Unknown site “%(slug)s”.") % {"slug": slug})
    # Scoped agents import only where they may edit: the site named and, for a known AP, the site it is on now.
    perm = "wifi.change_accesspoint" if existing else "wifi.add_accesspoint"
    for where in {site, existing.site if existing else None} - {None}:
        if not ctx.may(perm, where):
            errors.append(_("You may not change the access points of the site “%(site)s”.") % {"site": where.slug})

    values: dict[str, Any] = {}
    if site is not None:
        values["site"] = site
    if "zone" in row:
        zone_name = row["zone"]
        values["zone"] = None
        if zone_name and site is not None:
            values["zone"] = ctx.zones.get((site.pk, zone_name.casefold()))
            if values["zone"] is None:
                errors.append(
                    _("The site “%(site)s” has no zone named “%(zone)s”.") % {"site": site.slug, "zone": zone_name}
                )
    for column in _TEXT_COLUMNS:
        if column in row:
            values[COLUMNS[column]] = row[column]
    if serial:
        values["serial_number"] = serial

    if raw_community := row.get("community", ""):
        named = ctx.by_community.get(raw_community)
        if named is None:
            # The community itself is never repeated: the report is shown on screen and kept in logs.
            errors.append(_("No credential set of WIFI_CREDENTIALS has this community: ask for one to be configured."))
        elif values.get("credential_name") and values["credential_name"] != named:
            errors.append(
                _("The community is the one of the credential set “%(set)s”, not of “%(given)s”.")
                % {"set": named, "given": values["credential_name"]}
            )
        else:
            values["credential_name"] = named

    if "mac_address" in row:
        raw_mac = row["mac_address"]
        values["mac_address"] = None
        if raw_mac:
            mac = _mac_or_none(raw_mac)
            if mac is None:
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
        ("probe_kind", ctx.kinds, ctx.default_kind),
        ("lifecycle", Lifecycle.values, Lifecycle.PLANNED),
    ):
        if column not in row:
            continue
        raw = row[column].lower()
        if not raw:
            # Empty: keep what the access point has, or the default for a new one.
            if existing is None:
                values[column] = default
        elif raw in choices:
            values[column] = raw
        else:
            errors.append(
                _("“%(value)s” is not a valid %(column)s (expected one of: %(choices)s).")
                % {"value": raw, "column": column, "choices": ", ".join(choices)}
            )

    kind = values.get("probe_kind") or (existing.probe_kind if existing else ctx.default_kind)
    if kind not in ctx.kinds and "probe_kind" not in row:  # a method removed from WIFI_PROBES since it was set
        errors.append(_("“%(value)s” is not a polling method configured in WIFI_PROBES.") % {"value": kind})

    if "probe_port" in row:
        raw_port = row["probe_port"]
        values["probe_port"] = None
        if raw_port:
            if raw_port.isdigit() and 1 <= int(raw_port) <= 65535:
                values["probe_port"] = int(raw_port)
            else:
                errors.append(_("“%(value)s” is not a port number (1 to 65535).") % {"value": raw_port})

    for column in _DATE_COLUMNS:
        if column not in row:
            continue
        raw_date = row[column]
        values[column] = None
        if raw_date:
            try:
                values[column] = _parse_date(raw_date)
            except ValueError:
                errors.append(
                    _("“%(value)s” in %(column)s is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                    % {"value": raw_date, "column": column}
                )

    _check_probe(row, values, existing, ctx, errors)

    label = values.get("label", "")
    if site is not None and label:
        owner = ctx.label_owner.get((site.pk, label.casefold()))
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
        result.warnings.append(ctx.missing_credential_warning(credential))

    if errors:
        result.status = LineStatus.ERROR
        return result
    _apply(result, values, existing)
    return result


# Checked above, or by the database: the foreign keys (Field.validate() would query each line's site and zone),
# the uniqueness and the constraints (checked against the whole file, with clearer messages), the choices
# (checked above against the same lists: the field would rebuild the translated list of methods on every line)
# and the fields polling writes.
_NOT_VALIDATED = {"id", "site", "zone", "serial_number", "mac_address", "probe_kind", "lifecycle"} | {
    f.name for f in AccessPoint._meta.concrete_fields if f.name not in COLUMNS.values()
}
_COLUMN_OF = {model_field: column for column, model_field in COLUMNS.items() if model_field != "probe_settings"} | {
    "probe_settings": "probe settings"
}


def _apply(result: ImportLine, values: dict[str, Any], existing: AccessPoint | None) -> None:
    """Set the line's values on its access point (a new one, or the loaded one), then check it as a whole."""
    instance = existing or AccessPoint()
    before = {name: getattr(instance, name) for name in values} if existing else {}
    if existing:
        result.site_before_id, result.lifecycle_before = existing.site_id, existing.lifecycle
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        instance.full_clean(exclude=_NOT_VALIDATED, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            prefix = "" if name == "__all__" else f"{_COLUMN_OF.get(name, name)}: "
            result.errors.extend(prefix + message for message in messages)
        result.status = LineStatus.ERROR
        for name, value in before.items():  # leave the loaded object as the database has it
            setattr(instance, name, value)
        return
    result.instance = instance
    if existing is None:
        result.status = LineStatus.CREATED
        return
    result.changed = sorted(
        {_COLUMN_OF[name] for name, value in before.items() if getattr(instance, name) != value},
        key=lambda column: list(_COLUMN_OF.values()).index(column),
    )
    result.status = LineStatus.UPDATED if result.changed else LineStatus.UNCHANGED


# --- Import ----------------------------------------------------------------------------------------


def aps_import(
    *,
    actor: Agent | None,
    rows: Iterable[dict[str, str]] | None = None,
    file: IO | None = None,
    filename: str = "",
    partial: bool = False,
    dry_run: bool = False,
    expected_plan: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every line of an inventory CSV, then upsert the valid access points by serial number, in bulk.

    Give `file` (text or bytes: UTF-8 with or without BOM, else Windows-1252; `;` or `,`) or `rows` (dicts
    keyed by column, numbered from line 2 as under a header). Any line in error and not `partial`: nothing
    is written. `actor` (None for a command run on the server) may only touch the sites where they may add
    or change access points; the others are line errors. With `expected_plan` (`ImportReport.plan()` of a
    dry run), nothing is written unless the file still does exactly that (`report.stale` otherwise).
    `progress(done, total)` is called while the lines are checked.

    The import sets the lifecycle as the file says: it loads what the installer reports, whereas
    `access_point_move()` is the rule for an agent moving one access point on.
    """
    report = ImportReport(partial=partial, dry_run=dry_run)
    content = b""
    try:
        if file is not None:
            content = file.read()
            text, report.encoding = decode(content)
            numbered = read_csv(text)
        else:
            numbered = [
                (i, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
                for i, row in enumerate(rows or (), 2)
            ]
    except CsvFormatError as exc:
        report.file_errors.append(str(exc))
        return report

    ctx = _Context(numbered, actor)
    seen: dict[str, Counter] = {"serial": Counter(), "mac": Counter(), "label": Counter()}
    for _line, row in numbered:
        seen["serial"][row.get("serial_number", "")] += 1
        seen["label"][(row.get("site", "").lower(), row.get("label", "").casefold())] += 1
        if mac := _mac_or_none(row.get("mac_address", "")):
            seen["mac"][mac] += 1
    total = len(numbered)
    for done, (line, row) in enumerate(numbered, 1):
        report.lines.append(_check_line(line, row, ctx, seen))
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)

    if expected_plan is not None and report.plan() != expected_plan:
        report.stale = True
        return report
    if dry_run or report.refused:
        return report
    digest = hashlib.sha256(content if isinstance(content, bytes) else content.encode()).hexdigest()
    # Only the fields the file sets are written: another field changed meanwhile by someone else stays as it is.
    given = set().union(*(row.keys() for _line, row in numbered)) if numbered else set()
    fields = {COLUMNS[column] for column in given if column in COLUMNS}
    if "community" in given:
        fields.add("credential_name")
    if "probe_kind" in given:  # a new method keeps only the settings its driver understands
        fields.add("probe_settings")
    _write(report, actor=actor, filename=filename, sha256=digest, fields=sorted(fields))
    return report


def _write(report: ImportReport, *, actor: Agent | None, filename: str, sha256: str, fields: list[str]) -> None:
    """The valid lines in bulk, and the import's audit entry, all in one transaction (a fixed number of queries)."""
    new = [line.instance for line in report.lines if line.status == LineStatus.CREATED and line.instance]
    changed = [line.instance for line in report.lines if line.status == LineStatus.UPDATED and line.instance]
    record = InventoryImport(
        agent=actor,
        filename=filename[:255],
        encoding=report.encoding,
        sha256=sha256,
        partial=report.partial,
        created=len(new),
        updated=len(changed),
        unchanged=report.unchanged,
        refused=report.errors,
        changes={
            "created": [line.serial_number for line in report.lines if line.status == LineStatus.CREATED],
            "updated": {line.serial_number: line.changed for line in report.lines if line.status == LineStatus.UPDATED},
        },
    )
    try:
        with transaction.atomic():
            AccessPoint.objects.bulk_create(new)
            _bulk_update(changed, fields)
            report.record = audited_save(record, actor=actor)
            _changes_announce(report, actor=actor)
    except IntegrityError as exc:
        # Another writer took a serial, MAC or label between the check and the write: nothing was written.
        report.file_errors.append(
            _("The database refused the import, nothing was written: %(error)s. Check the file again.") % {"error": exc}
        )
        for line in report.lines:
            if line.status == LineStatus.CREATED:
                line.instance = None
        return
    report.imported = True


def _changes_announce(report: ImportReport, *, actor: Agent | None) -> None:
    """Tell the apps above (wifi.signals) which access points the file moved or took to another step: the bulk
    UPDATE fires no post_save. Inside the import's transaction, so that what they record commits with it."""
    changes = [
        AccessPointChange(
            access_point_id=line.instance.pk,
            serial_number=line.instance.serial_number,
            site_before_id=line.site_before_id,
            site_after_id=line.instance.site_id,
            lifecycle_before=line.lifecycle_before,
            lifecycle_after=line.instance.lifecycle,
            retired_on=line.instance.retired_on,
        )
        for line in report.lines
        if line.status == LineStatus.UPDATED
        and line.instance is not None
        and line.site_before_id is not None
        and (line.instance.site_id != line.site_before_id or line.instance.lifecycle != line.lifecycle_before)
    ]
    if changes:
        access_points_changed.send(sender=AccessPoint, changes=changes, actor=actor)


def _bulk_update(aps: list[AccessPoint], names: list[str]) -> None:
    """One UPDATE … FROM UNNEST(arrays) for every changed access point.

    Django's bulk_update() writes a CASE with one branch per row for each field: at 10,000 rows that is
    seconds of Python building expressions and a quadratic plan in PostgreSQL. `names` are the fields the
    file sets (never the health fields the polling round writes meanwhile); updated_at is set too.
    """
    if not aps or not names:
        return
    meta = AccessPoint._meta
    fields = [meta.get_field(name) for name in names if name != "serial_number"]
    now = timezone.now()
    columns, arrays, assignments = ["id"], [[ap.pk for ap in aps]], []
    casts = [meta.pk.db_type(connection).split("(")[0]]
    for f in fields:
        values = [f.get_db_prep_save(getattr(ap, f.attname), connection) for ap in aps]
        db_type = (f.target_field if f.is_relation else f).db_type(connection).split("(")[0]
        if f.get_internal_type() == "JSONField":
            values, db_type = [json.dumps(getattr(ap, f.attname)) for ap in aps], "jsonb"
        columns.append(f.column)
        arrays.append(values)
        casts.append(db_type)
        assignments.append(f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}")
    table = connection.ops.quote_name(meta.db_table)
    unnest = ", ".join(f"%s::{cast}[]" for cast in casts)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    # Identifiers come from the model's meta through quote_name(); every value is a parameter.
    updated_at = connection.ops.quote_name("updated_at")
    sql = (
        f"UPDATE {table} AS ap SET {', '.join(assignments)}, {updated_at} = %s "  # noqa: S608
        f"FROM UNNEST({unnest}) AS v({names}) WHERE ap.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *arrays])  # updated_at comes first in the statement
