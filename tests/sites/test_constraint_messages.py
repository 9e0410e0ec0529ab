"""A broken rule of the database reads as a sentence, once, next to the field it is about — never its name."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from sites.models import OpeningPeriod
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "mds_sites", "wifi", "accueil", "mediation", "captive_portal", "funding")


def test_every_constraint_of_our_models_has_its_own_translated_message():
    """A constraint without its message would show « La contrainte « name » n'est pas respectée »."""
    bare = [
        f"{model.__name__}.{constraint.name}"
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
        if constraint.violation_error_message == constraint.default_violation_error_message
        or constraint.violation_error_code != constraint.name
    ]
    assert bare == []


def test_opening_hours_that_close_before_they_open_say_so_once_next_to_the_closing_time(signed_in):
    mds = MdsFactory(name="MDS Arles", phone="")
    SiteFactory(mds=mds, name="MDS Arles", slug="arles")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    data = {"phone": "04 90 00 00 00", "commune": "Arles", "opening_periods-TOTAL_FORMS": "1",
            "opening_periods-INITIAL_FORMS": "0", "opening_periods-0-weekday": "1",
            "opening_periods-0-opens": "14:00", "opening_periods-0-closes": "09:00"}  # fmt: skip
    response = client.post(reverse("sites:mds_edit", kwargs={"slug": mds.slug}), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "opening_closes_after_opens" not in html
    assert "contrainte" not in html
    message = "L’heure de fermeture doit être après l’heure d’ouverture."
    assert html.count(message) == 1
    formset = response.context["formset"]
    assert formset.forms[0].errors == {"closes": [message]}
    # The message is right after the closing-time field, not at the top of the row.
    assert re.search(r'id="id_opening_periods-0-closes".{0,600}' + re.escape(message), html, re.S)
    assert not OpeningPeriod.objects.exists()
