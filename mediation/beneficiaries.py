"""The people helped one-to-one who agreed to be recorded (Beneficiary): recording one, finding one, merging two
records of the same person. Every write has its audit entry; a record never absorbs one of another MDS."""

from functools import reduce
from operator import and_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.phone import InvalidPhoneNumber, phone_normalise
from mediation.models import Accompaniment, Beneficiary, Registration
from sites.audit import acting_as, audited_delete, audited_save, record_access, record_event
from sites.models import Agent, Mds

MERGE_PERMISSION = "mediation.delete_beneficiary"  # merging deletes the duplicate record


# --- Selectors -------------------------------------------------------------------------------------------


def beneficiary_search(text: str) -> Q:
    """A search box's condition: a phone number in any writing, else name words and email, accents aside."""
    text = " ".join((text or "").split())
    if not text:
        return Q()
    if any(char.isdigit() for char in text):
        try:
            return Q(phone=phone_normalise(text))
        except InvalidPhoneNumber:
            return Q(phone__contains="".join(char for char in text if char.isdigit()).lstrip("0"))
    return reduce(
        and_,
        (
            Q(first_name__unaccent__icontains=word) | Q(last_name__unaccent__icontains=word) | Q(email__icontains=word)
            for word in text.split()
        ),
    )


def beneficiaries_list(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """The list's rows: records not anonymised, with their MDS and how many accompaniments each has."""
    rows = queryset.filter(anonymised_at__isnull=True).select_related("mds")
    return rows.annotate(accompaniment_count=Count("accompaniments"))


def beneficiary_accompaniments(beneficiary: Beneficiary) -> QuerySet[Accompaniment]:
    rows: QuerySet[Accompaniment] = beneficiary.accompaniments.select_related("activity__site", "activity__created_by")
    return rows.prefetch_related("activity__themes").order_by("-activity__date", "-pk")


def beneficiary_registrations(beneficiary: Beneficiary) -> QuerySet[Registration]:
    """The workshop registrations of the same MDS made with the person's phone or email (a registration holds no
    link to a beneficiary: the same contact details are the link)."""
    ways = Q()
    if beneficiary.phone:
        ways |= Q(phone=beneficiary.phone)
    if beneficiary.email:
        ways |= Q(email__iexact=beneficiary.email)
    if not ways:
        return Registration.objects.none()
    rows = Registration.objects.filter(ways, session__workshop__mds_id=beneficiary.mds_id)
    return rows.select_related("session__workshop", "session__site").order_by("-session__starts_at", "-pk")


def merge_candidates(beneficiary: Beneficiary, agent: Agent) -> QuerySet[Beneficiary]:
    """The records `beneficiary` may absorb: not anonymised, of the same MDS, visible to the agent."""
    rows: QuerySet[Beneficiary] = Beneficiary.objects.visible_to(agent).filter(
        mds_id=beneficiary.mds_id, anonymised_at__isnull=True
    )
    return rows.exclude(pk=beneficiary.pk).order_by("last_name", "first_name", "pk")


def beneficiary_view(*, actor: Agent, beneficiary: Beneficiary) -> None:
    """Keep who opened the person's page: reading personal data leaves a trace."""
    record_access(actor=actor, instance=beneficiary)


# --- Services --------------------------------------------------------------------------------------------


def beneficiary_record(*, actor: Agent, mds: Mds, first_name: str, last_name: str = "", phone: str = "",
                       email: str = "") -> Beneficiary:  # fmt: skip
    """Record a person who has just agreed to be contacted again (their consent is now)."""
    if not (phone or email):
        raise ValidationError(_("Give a phone number or an email address to contact the person again."))
    beneficiary = Beneficiary(
        mds=mds, first_name=first_name.strip(), last_name=last_name.strip(), phone=phone,
        email=email.strip().lower(), consent_at=timezone.now(),
    )  # fmt: skip
    return audited_save(beneficiary, actor=actor)


@transaction.atomic
def beneficiary_merge(*, actor: Agent, kept: Beneficiary, duplicate: Beneficiary) -> Beneficiary:
    """Two records of the same person: `duplicate`'s accompaniments move to `kept`, its details fill `kept`'s
    blanks, then it is deleted; the merge is in `kept`'s audit trail. Both rows are locked (in id order, so two
    merges of the same pair cannot deadlock) and must be of the same MDS."""
    if kept.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = {b.pk: b for b in Beneficiary.objects.select_for_update().filter(pk__in=[kept.pk, duplicate.pk])}
    if len(locked) != 2:
        raise ValidationError(_("One of the records no longer exists."))
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    if kept.mds_id != duplicate.mds_id:
        raise ValidationError(_("Only two records of the same MDS can be merged."), code="merge_other_mds")
    if kept.anonymised_at or duplicate.anonymised_at:
        raise ValidationError(_("An anonymised record cannot be merged."))
    with acting_as(actor):
        for accompaniment in duplicate.accompaniments.all():
            accompaniment.beneficiary = kept
            accompaniment.save(update_fields=["beneficiary"])
    for name in ("first_name", "last_name", "phone", "email"):
        if not getattr(kept, name):
            setattr(kept, name, getattr(duplicate, name))
    kept.consent_at = min(kept.consent_at, duplicate.consent_at)
    kept.last_seen_on = kept.accompaniments.aggregate(last=Max("activity__date"))["last"] or kept.last_seen_on
    audited_save(kept, actor=actor)
    record_event(actor=actor, instance=kept, subject="merged", event=f"#{duplicate.pk}")
    audited_delete(duplicate, actor=actor)
    return kept
