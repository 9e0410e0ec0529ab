"""The person record (usager): finding one, writing one, relatives, merging duplicates.

Selectors return querysets with what their pages read already loaded; services are the only writers of a Person,
each with its audit entry, scoped to one MDS: a record never points to, nor absorbs, a record of another MDS.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ManyToOneRel, Model, Q, QuerySet
from django.utils.translation import gettext as _

from accueil.models import ContactRequest, Person
from accueil.models.people import PersonQuerySet
from core.phone import InvalidPhoneNumber, phone_normalise
from sites.audit import acting_as, audited_save, record_access, record_event
from sites.models import Agent

MERGE_PERMISSION = "accueil.delete_person"

# --- Selectors -------------------------------------------------------------------------------------------

_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-/()]{6,}$")


def person_search(text: str, *, prefix: str = "") -> Q:
    """The condition for a search box: a phone number in any writing (`06 12 34 56 78`, `+33612345678`, or its
    last digits), an email or part of it, or name words, each found in the first or last name whatever the
    accents and case (`benali helene` finds Hélène BENALI)."""
    text = " ".join((text or "").split())
    if not text:
        return Q()
    if _PHONE_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        # A whole number (9 digits at least: fewer would parse as a Saint-Pierre-et-Miquelon number) is matched
        # exactly in its E.164 writing; fewer digits, or an unparseable number, as a number's end ("34 56 78").
        if len(digits) >= 9:
            try:
                return Q(**{f"{prefix}phone": phone_normalise(text)})
            except InvalidPhoneNumber:
                pass
        return Q(**{f"{prefix}phone__contains": digits.lstrip("0")})
    words = text.split()
    return reduce(
        and_,
        (
            reduce(
                or_,
                (
                    Q(**{f"{prefix}first_name__unaccent__icontains": word}),
                    Q(**{f"{prefix}last_name__unaccent__icontains": word}),
                    Q(**{f"{prefix}email__icontains": word}),
                ),
            )
            for word in words
        ),
    )


def people_list(queryset: PersonQuerySet) -> QuerySet[Person]:
    """The list's rows: records in use, with their MDS and how many requests each has (one query)."""
    rows: QuerySet[Person] = queryset.current().select_related("mds", "responsible")
    return rows.annotate(request_count=Count("requests", distinct=True))


def person_links() -> list[ManyToOneRel]:
    """Foreign keys to Person from other models: requests, and appointments once their part registers its model.
    A merge moves their rows; the person page shows them."""
    return [
        rel for rel in Person._meta.related_objects if isinstance(rel, ManyToOneRel) and rel.related_model is not Person
    ]


@dataclass(frozen=True)
class RelatedRows:
    label: str
    rows: list[Model]


def person_related(person: Person) -> list[RelatedRows]:
    """What other models hold about the person, besides requests (which the page lists itself): one section per
    model linking to Person (the appointments part adds one by its foreign key, nothing to change here)."""
    sections = []
    for rel in person_links():
        if rel.related_model is ContactRequest:
            continue
        rows = list(rel.related_model._default_manager.filter(**{rel.field.name: person}).order_by("-pk")[:50])
        sections.append(RelatedRows(str(rel.related_model._meta.verbose_name_plural), rows))
    return sections


def person_requests(person: Person) -> QuerySet[ContactRequest]:
    return person.requests.select_related("assigned_to").order_by("-submitted_at", "-pk")


def merge_candidates(person: Person, agent: Agent) -> QuerySet[Person]:
    """The records `person` may be merged with: in use, of the same MDS, visible to the agent."""
    rows: QuerySet[Person] = Person.objects.visible_to(agent).current()
    return rows.filter(mds_id=person.mds_id).exclude(pk=person.pk)


def person_view(*, actor: Agent, person: Person) -> None:
    """Keep who opened the person's page (sites.audit): reading personal data leaves a trace."""
    record_access(actor=actor, instance=person)


# --- Services --------------------------------------------------------------------------------------------


def _check_usable(person: Person) -> None:
    if person.merged_into_id:
        raise ValidationError(_("This record was merged into another one: work on that one."))
    if person.anonymised_at:
        raise ValidationError(_("This record is anonymised."))


def _check_relative(person: Person, responsible: Person | None) -> None:
    if responsible is None:
        return
    if responsible.mds_id != person.mds_id:
        raise ValidationError(_("The relative must be a person of the same MDS."))
    _check_usable(responsible)
    # Walk up the chain: a person acting for their own relative (A for B, B for A) makes no sense.
    seen: set[int] = {person.pk}
    link: Person | None = responsible
    while link is not None:
        if link.pk in seen:
            raise ValidationError(_("A person cannot act for someone who acts for them."))
        seen.add(link.pk)
        link = link.responsible


def person_save(*, actor: Agent, person: Person) -> Person:
    """Create or edit a record (fields already set by a form), with its audit entry."""
    if person.pk is None:
        person.created_by = actor
    else:
        _check_usable(person)
    _check_relative(person, person.responsible)
    if person.email:
        person.email = person.email.strip().lower()
    return audited_save(person, actor=actor)


@transaction.atomic
def person_link_relative(*, actor: Agent, person: Person, responsible: Person | None, relationship: str) -> Person:
    """Say who acts for `person` (a parent for a child), or nobody."""
    _check_usable(person)
    _check_relative(person, responsible)
    person.responsible = responsible
    person.relationship = relationship if responsible else ""
    return audited_save(person, actor=actor)


def person_matching(*, mds_id: int, last_name: str, phone: str = "", email: str = "") -> Person | None:
    """A current record of this MDS with the same last name (accents and case aside) and the same phone or email.
    None without a phone or an email: a name alone does not tell two people apart, nor does a family's phone."""
    ways = Q()
    if phone:
        ways |= Q(phone=phone)
    if email:
        ways |= Q(email__iexact=email)
    if not ways:
        return None
    same = Person.objects.current().filter(ways, mds_id=mds_id, last_name__unaccent__iexact=last_name.strip())
    found: Person | None = same.order_by("pk").first()
    return found


@transaction.atomic
def person_from_request(*, actor: Agent, contact_request: ContactRequest) -> Person:
    """The record of the request's person in its MDS (`person_matching`), else one created from the request; the
    request is linked to it. A walk-in is linked as it is recorded."""
    if contact_request.person_id:
        person: Person = contact_request.person  # type: ignore[assignment]
        return person
    found = person_matching(
        mds_id=contact_request.mds_id, last_name=contact_request.last_name, phone=contact_request.phone,
        email=contact_request.email,
    )  # fmt: skip
    if found is None:
        found = person_save(
            actor=actor,
            person=Person(
                mds_id=contact_request.mds_id, first_name=contact_request.first_name,
                last_name=contact_request.last_name, phone=contact_request.phone, email=contact_request.email,
            ),
        )  # fmt: skip
    contact_request.person = found
    with acting_as(actor):
        contact_request.save(update_fields=["person"])
    return found


@dataclass(frozen=True)
class MergeResult:
    kept: Person
    merged: Person
    moved: dict[str, int]


@transaction.atomic
def person_merge(*, actor: Agent, kept: Person, duplicate: Person) -> MergeResult:
    """Merge `duplicate` into `kept`: every row linking to the duplicate (requests, dependants, appointments…)
    moves to `kept`, blank fields of `kept` are filled from the duplicate, and the duplicate points to `kept`
    (`merged_into`) so that old links still lead somewhere. Within one MDS, by an agent allowed to merge there."""
    if kept.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    # Both rows locked in id order: two merges of the same pair, in either direction, wait for each other
    # instead of deadlocking, and the second one then finds the duplicate already merged.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[kept.pk, duplicate.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ValidationError(_("One of the records no longer exists."))
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    if kept.mds_id != duplicate.mds_id:
        raise ValidationError(_("Only records of the same MDS can be merged."))
    if not (actor.has_perm(MERGE_PERMISSION, kept) and actor.has_perm(MERGE_PERMISSION, duplicate)):
        raise PermissionDenied
    _check_usable(kept)
    _check_usable(duplicate)

    moved: dict[str, int] = {}
    for rel in person_links():
        manager = rel.related_model._base_manager
        moved[rel.related_model._meta.label] = manager.filter(**{rel.field.name: duplicate}).update(
            **{rel.field.name: kept}
        )
    # The relatives the duplicate acted for; the kept record itself, if it was one of them, acts for no one then.
    dependants = Person.objects.filter(responsible=duplicate)
    moved["dependants"] = dependants.exclude(pk=kept.pk).update(responsible=kept)
    if kept.responsible_id == duplicate.pk:
        kept.responsible, kept.relationship = None, ""
    # Records merged into the duplicate before now point to the kept one: no chain to follow.
    Person.objects.filter(merged_into=duplicate).update(merged_into=kept)

    for name in ("first_name", "last_name", "phone", "email"):
        if not getattr(kept, name) and getattr(duplicate, name):
            setattr(kept, name, getattr(duplicate, name))
    if kept.responsible_id is None and duplicate.responsible_id not in (None, kept.pk):
        kept.responsible_id, kept.relationship = duplicate.responsible_id, duplicate.relationship
    audited_save(kept, actor=actor)
    duplicate.merged_into = kept
    duplicate.responsible = None
    audited_save(duplicate, actor=actor)
    summary = ", ".join(f"{label}: {count}" for label, count in moved.items())
    record_event(actor=actor, instance=kept, subject="merge", event=f"#{duplicate.pk} merged in ({summary})")
    return MergeResult(kept=kept, merged=duplicate, moved=moved)
