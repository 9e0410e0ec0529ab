"""Motifs are edited in the Django admin, validated and audited like every other write."""

import pytest

from accueil.models import Motif
from tests.audit_trail import CREATE, actors
from tests.factories import AgentFactory, MdsFactory

pytestmark = pytest.mark.django_db


def _motif_form(mds, **fields):
    return {"mds": mds.pk, "name": "Accompagnement budgétaire", "duration_minutes": 45, "min_booking_delay_hours": 24,
            "max_booking_delay_days": 30, "location_type": "mds", "bookable_by": "public", "visibility": "notified",
            "person_may_cancel": "on", "cancel_deadline_hours": 24, "seats": 1, "active": "on", **fields}  # fmt: skip


def test_a_motif_added_in_the_admin_is_audited_under_the_administrator(signed_in):
    """The admin's save names the administrator in the audit trail."""
    administrator = AgentFactory(is_staff=True, is_superuser=True)
    mds = MdsFactory()
    response = signed_in(administrator).post("/admin/accueil/motif/add/", _motif_form(mds))
    assert response.status_code == 302
    motif = Motif.objects.get()
    assert actors(Motif, motif.pk, CREATE) == {administrator}


def test_a_collective_motif_of_one_seat_is_refused_in_the_admin_in_french(signed_in):
    administrator = AgentFactory(is_staff=True, is_superuser=True)
    response = signed_in(administrator).post("/admin/accueil/motif/add/",
                                             _motif_form(MdsFactory(), collective="on"))  # fmt: skip
    assert response.status_code == 200
    assert "un motif collectif entre 2 et 200." in response.content.decode()
    assert not Motif.objects.exists()


def test_a_public_motif_hidden_from_messages_is_refused_in_the_admin_in_french(signed_in):
    """The constraint's French message shows next to the visibility field; nothing is stored."""
    administrator = AgentFactory(is_staff=True, is_superuser=True)
    response = signed_in(administrator).post("/admin/accueil/motif/add/",
                                             _motif_form(MdsFactory(), visibility="invisible"))  # fmt: skip
    assert response.status_code == 200
    assert "Un motif ouvert au public doit être visible et notifié." in response.content.decode()
    assert not Motif.objects.exists()
