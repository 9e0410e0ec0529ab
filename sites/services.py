"""Writes on MDS, sites, zones, agents and memberships: the back-office pages, the admin and the commands call
these, and each leaves its audit entry with the actor's name."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template import loader
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from sites.audit import acting_as, audited_delete, audited_save, record_event
from sites.grants import may_grant, may_manage
from sites.models import Agent, Mds, Membership, OpeningPeriod, Service, Site, Zone
from sites.notifications import email_send_after_commit

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


def _full_clean(obj, *, path: Path, label: str) -> None:
    """The model's own checks (a real phone number, a French postal code…), said with the file and the entry."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise MdsDataError(f"{path}: {label}: {problems}") from exc


def _fill_empty(obj, values: dict, fields: tuple[str, ...], report: LoadReport, label: str, path: Path) -> bool:
    """Set the fields the file gives and the row lacks; never overwrite what an agent entered."""
    changed = []
    for name in fields:
        value = values.get(name)
        if value in (None, "") or getattr(obj, name) not in (None, ""):
            continue
        setattr(obj, name, value)
        changed.append(name)
    if changed:
        _full_clean(obj, path=path, label=label)
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
            _full_clean(mds, path=path, label=f"MDS {entry['slug']}")
            mds.save()
            report.created.append(f"MDS {mds}")
        elif not _fill_empty(mds, entry, MDS_FIELDS, report, f"MDS {mds}", path):
            report.unchanged += 1
        for site_entry in entry.get("sites", []):
            site = Site.objects.filter(mds=mds, number=site_entry["number"]).first()
            if site is None:
                site = Site(
                    mds=mds,
                    number=site_entry["number"],
                    **{k: site_entry[k] for k in SITE_FIELDS if site_entry.get(k) is not None},
                )
                _full_clean(site, path=path, label=f"site {site_entry['slug']}")
                site.save()
                report.created.append(f"site {site}")
            elif not _fill_empty(site, site_entry, SITE_FIELDS, report, f"site {site}", path):
                report.unchanged += 1
    return report


# --- An MDS, its sites and their zones, as agents edit them ----------------------------------------
# The rules of each object are its model's clean() (a site's coordinates both or neither, a zone's name
# once per site whatever its case): checked here again, so a caller that skipped a form cannot break them.


@transaction.atomic
def mds_update(
    *,
    actor: Agent,
    mds: Mds,
    services: Iterable[Service],
    periods: Iterable[OpeningPeriod] = (),
    periods_removed: Iterable[OpeningPeriod] = (),
) -> Mds:
    """Save an MDS's details, its services and its opening hours together, or nothing.

    `periods` are the opening periods added or changed (not yet saved), `periods_removed` those to delete;
    removed ones go first, so a period moved to another's old start does not collide with it.
    """
    mds.full_clean()
    with acting_as(actor):
        mds.save()
        mds.services.set(list(services))
        for period in periods_removed:
            if period.pk:
                period.delete()
        for period in periods:
            period.mds = mds
            period.full_clean()
            period.save()
    return mds


@transaction.atomic
def site_save(*, actor: Agent, site: Site) -> Site:
    """Save a site changed in place (its name, address, coordinates, access notes), or a new one."""
    return audited_save(site, actor=actor)


@transaction.atomic
def zone_save(*, actor: Agent, zone: Zone) -> Zone:
    """Add a zone to its site, or save one changed in place."""
    return audited_save(zone, actor=actor)


@transaction.atomic
def zone_delete(*, actor: Agent, zone: Zone) -> None:
    """Delete a zone; its access points stay on the site, without a zone."""
    audited_delete(zone, actor=actor)


# --- Agents and memberships -----------------------------------------------------------------------
# Who may do what is decided in `sites.grants`; every write below checks it (the pages only offer
# what it allows, but a service is the last word), runs in one transaction and leaves its audit
# entries with the actor's name (django-auditlog records Agent and Membership changes).

INVITATION_TIMEOUT = timedelta(days=7)


class AccountError(ValueError):
    """A change that the rules allow but the state forbids; the message is for the person."""


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-time link of an invitation: it stops working once a password is chosen (the token hashes
    the password field), when another invitation replaces it, when the email changes, or after
    INVITATION_TIMEOUT. Its own salt: a password-reset link is not an invitation, nor the reverse."""

    key_salt = "sites.services.InvitationTokenGenerator"

    def check_token(self, user, token):
        # Django's check compares with PASSWORD_RESET_TIMEOUT (2 hours): an invitation lasts longer.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except (AttributeError, ValueError):
            return False
        if self._num_seconds(self._now()) - timestamp > INVITATION_TIMEOUT.total_seconds():
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _email_taken(email: str, *, other_than: Agent | None = None) -> bool:
    agents = Agent.objects.filter(email__iexact=email)
    if other_than is not None:
        agents = agents.exclude(pk=other_than.pk)
    return agents.exists()


def _invitation_email(*, agent: Agent, actor: Agent, base_url: str) -> None:
    """A new unusable password makes any earlier invitation link useless, then the new link leaves."""
    agent.set_unusable_password()
    agent.save(update_fields=["password"])
    uidb64 = urlsafe_base64_encode(force_bytes(agent.pk))
    path = reverse("sites:invitation_accept", kwargs={"uidb64": uidb64, "token": invitation_tokens.make_token(agent)})
    context = {"agent": agent, "actor": actor, "url": base_url.rstrip("/") + path, "days": INVITATION_TIMEOUT.days}
    subject = "".join(loader.render_to_string("sites/accounts/invitation_subject.txt", context).splitlines())
    body = loader.render_to_string("sites/accounts/invitation_email.txt", context)
    email_send_after_commit(subject=subject, body=body, to=[agent.email])


def agent_invite(
    *, actor: Agent, email: str, first_name: str, last_name: str, role: str, mds: Mds | None, base_url: str
) -> Agent:
    """Create an agent with a first role, without a password: an email invites them to choose one."""
    _require(may_grant(actor, role, mds.pk if mds else None))
    email = Agent.objects.normalize_email(email).strip().lower()
    if _email_taken(email):
        raise AccountError(_("An agent already has this email address."))
    with transaction.atomic(), acting_as(actor):
        agent = Agent(email=email, first_name=first_name, last_name=last_name)
        agent.set_unusable_password()
        try:
            with transaction.atomic():  # two managers adding the same person at once: one wins
                agent.save()
        except IntegrityError as exc:
            raise AccountError(_("An agent already has this email address.")) from exc
        Membership.objects.create(agent=agent, role=role, mds=mds)
        _invitation_email(agent=agent, actor=actor, base_url=base_url)
    return agent


def agent_invitation_send(*, actor: Agent, agent: Agent, base_url: str) -> Agent:
    """Send a new invitation to an agent who has not chosen a password yet (the old link stops working)."""
    _require(may_manage(actor, agent))
    if not agent.is_active:
        raise AccountError(_("This agent is deactivated: reactivate them first."))
    if agent.has_usable_password():
        raise AccountError(
            _("This agent has already chosen a password. If they forgot it, they can ask for a new one at sign-in.")
        )
    with transaction.atomic(), acting_as(actor):
        _invitation_email(agent=agent, actor=actor, base_url=base_url)
        # Only the unusable password changes, which the audit trail does not keep: say who re-sent it.
        record_event(actor=actor, instance=agent, subject="invitation", event="invitation_sent")
    return agent


def agent_update(*, actor: Agent, agent: Agent, first_name: str, last_name: str, email: str) -> Agent:
    _require(may_manage(actor, agent))
    email = Agent.objects.normalize_email(email).strip().lower()
    if _email_taken(email, other_than=agent):
        raise AccountError(_("An agent already has this email address."))
    agent.first_name, agent.last_name, agent.email = first_name, last_name, email
    with transaction.atomic(), acting_as(actor):
        try:
            with transaction.atomic():
                agent.save(update_fields=["first_name", "last_name", "email"])
        except IntegrityError as exc:
            raise AccountError(_("An agent already has this email address.")) from exc
    return agent


def agent_deactivate(*, actor: Agent, agent: Agent) -> Agent:
    """Close an agent's access without deleting anything: their history and audit trail stay.

    An inactive agent's sessions stop working at their next request (Django's backend refuses
    inactive users) and `visible_to` gives them nothing.
    """
    _require(may_manage(actor, agent))
    if agent.is_active:
        agent.is_active = False
        with transaction.atomic(), acting_as(actor):
            agent.save(update_fields=["is_active"])
    return agent


def agent_reactivate(*, actor: Agent, agent: Agent) -> Agent:
    _require(may_manage(actor, agent))
    if not agent.is_active:
        agent.is_active = True
        with transaction.atomic(), acting_as(actor):
            agent.save(update_fields=["is_active"])
    return agent


def membership_grant(*, actor: Agent, agent: Agent, role: str, mds: Mds | None) -> Membership:
    """Give `agent` a role (at `mds` for per-MDS roles). Nobody gives themselves a role."""
    _require(actor.pk != agent.pk and may_grant(actor, role, mds.pk if mds else None))
    try:
        with transaction.atomic(), acting_as(actor):
            return Membership.objects.create(agent=agent, role=role, mds=mds)
    except IntegrityError as exc:  # the partial unique constraints: the role is already held there
        raise AccountError(_("This agent already holds this role there.")) from exc


def membership_revoke(*, actor: Agent, membership: Membership) -> None:
    """Take a role back. The audit trail keeps who held it, where, and who took it back."""
    _require(actor.pk != membership.agent_id and may_grant(actor, membership.role, membership.mds_id))
    with transaction.atomic(), acting_as(actor):
        membership.delete()


def invitation_accept(*, agent: Agent, password: str) -> Agent:
    """The invited agent's own password; the link that brought them here stops working with it."""
    agent.set_password(password)
    with transaction.atomic():
        agent.save(update_fields=["password"])
        record_event(actor=agent, instance=agent, subject="invitation", event="invitation_accepted")
    return agent
