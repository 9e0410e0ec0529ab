"""Writes on MDS, sites and memberships."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sites.models import Mds, Service, Site

MDS_FIELDS = ("name", "slug", "kind", "commune", "phone", "email")
SITE_FIELDS = ("name", "slug", "street", "postal_code", "commune", "latitude", "longitude")


class MdsDataError(ValueError):
    """The MDS data file is not usable; the message says where."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # "what: field" filled because it was empty
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.completed)


def _read(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MdsDataError(f"{path}: {exc}") from exc
    entries = data.get("mds")
    if not isinstance(entries, list) or not entries:
        raise MdsDataError(f"{path}: a non-empty list 'mds' is required")
    for key in ("number", "slug"):
        values = [entry.get(key) for entry in entries]
        if None in values or len(set(values)) != len(values):
            raise MdsDataError(f"{path}: every MDS needs a unique '{key}'")
    site_slugs = [site.get("slug") for entry in entries for site in entry.get("sites", [])]
    if None in site_slugs or len(set(site_slugs)) != len(site_slugs):
        raise MdsDataError(f"{path}: every site needs a unique 'slug'")
    return data


def _fill_empty(obj, values: dict, fields: tuple[str, ...], report: LoadReport, label: str) -> bool:
    """Set the fields the file gives and the row lacks; never overwrite what an agent entered."""
    changed = []
    for name in fields:
        value = values.get(name)
        if value in (None, "") or getattr(obj, name) not in (None, ""):
            continue
        setattr(obj, name, value)
        changed.append(name)
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed)
        report.completed.extend(f"{label}: {name}" for name in changed)
    return bool(changed)


@transaction.atomic
def mds_load(*, path: Path) -> LoadReport:
    """Load the département's MDS, sites and services from a data file.

    Idempotent: a second run changes nothing. It only creates what is missing and fills
    empty fields, so nothing agents completed is overwritten, and it deletes nothing.
    """
    data = _read(path)
    report = LoadReport()
    for entry in data.get("services", []):
        service, created = Service.objects.get_or_create(code=entry["code"], defaults={"name": entry["name"]})
        if created:
            report.created.append(f"service {service.code}")
    for entry in data["mds"]:
        mds = Mds.objects.filter(number=entry["number"]).first()
        if mds is None:
            mds = Mds(number=entry["number"], **{k: entry[k] for k in MDS_FIELDS if entry.get(k) is not None})
            mds.full_clean()
            mds.save()
            report.created.append(f"MDS {mds}")
        elif not _fill_empty(mds, entry, MDS_FIELDS, report, f"MDS {mds}"):
            report.unchanged += 1
        for site_entry in entry.get("sites", []):
            site = Site.objects.filter(mds=mds, number=site_entry["number"]).first()
            if site is None:
                site = Site(
                    mds=mds,
                    number=site_entry["number"],
                    **{k: site_entry[k] for k in SITE_FIELDS if site_entry.get(k) is not None},
                )
                site.full_clean()
                site.save()
                report.created.append(f"site {site}")
            elif not _fill_empty(site, site_entry, SITE_FIELDS, report, f"site {site}"):
                report.unchanged += 1
    return report
