"""The theme taxonomy is seeded by migration: La Coop de la médiation numérique's 30 national themes and the
Département's own tag."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from mediation.models import Theme, ThemeKind

pytestmark = pytest.mark.django_db


def test_the_national_taxonomy_and_the_local_tag_are_seeded():
    """19 digital-skills themes, 11 administrative sub-themes under "help with administrative procedures", 1 local
    tag."""
    assert Theme.objects.filter(kind=ThemeKind.DIGITAL_SKILL).count() == 19
    parent = Theme.objects.get(national_code="aide_aux_demarches_administratives")
    administrative = Theme.objects.filter(kind=ThemeKind.ADMINISTRATIVE)
    assert administrative.count() == 11
    assert set(administrative.values_list("parent", flat=True)) == {parent.pk}
    assert Theme.objects.exclude(national_code="").count() == 30
    local = Theme.objects.get(kind=ThemeKind.LOCAL)
    assert (local.national_code, local.label) == ("", "Video games and screens — prevention")


def test_themes_read_in_french():
    with translation.override("fr"):
        labels = {theme.national_code: str(theme) for theme in Theme.objects.all()}
        assert labels["diagnostic_numerique"] == "Diagnostic numérique"
        assert labels["etrangers_europe"] == "Étrangers - Europe"
        assert str(Theme.objects.get(kind=ThemeKind.LOCAL)) == "Jeux vidéo et écrans — prévention"


def test_a_local_tag_typed_in_french_in_the_admin_reads_as_typed():
    assert str(Theme(code="x", label="Atelier cuisine et budget", kind=ThemeKind.LOCAL)) == "Atelier cuisine et budget"


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"kind": ThemeKind.ADMINISTRATIVE, "national_code": "x"}, "theme_parent_for_administrative_only"),
        ({"kind": ThemeKind.DIGITAL_SKILL, "national_code": ""}, "theme_national_code_unless_local"),
        ({"kind": ThemeKind.LOCAL, "national_code": "x"}, "theme_national_code_unless_local"),
        ({"kind": ThemeKind.DIGITAL_SKILL, "national_code": "email"}, "theme_unique_national_code"),
    ],
)
def test_the_taxonomy_keeps_its_shape(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Theme.objects.create(code="new-theme", label="New", **fields)
