"""The national taxonomy of La Coop de la médiation numérique (its 19 digital-skills themes and the 11
administrative sub-themes of "help with administrative procedures", codes as its API names them), and the
Département's own tag for video games and screens. Labels are English msgids, shown in French by the catalogue."""

from django.db import migrations
from django.utils.translation import gettext_noop

DIGITAL_SKILLS = [
    ("diagnostic_numerique", gettext_noop("Digital diagnosis")),
    ("prendre_en_main_du_materiel", gettext_noop("Handling equipment")),
    ("maintenance_de_materiel", gettext_noop("Equipment maintenance")),
    ("gere_ses_contenus_numeriques", gettext_noop("Managing one's digital content")),
    ("navigation_sur_internet", gettext_noop("Internet navigation")),
    ("email", gettext_noop("Email")),
    ("bureautique", gettext_noop("Office tools")),
    ("reseaux_sociaux", gettext_noop("Social networks and communication")),
    ("sante", gettext_noop("Health and care")),
    ("banque_et_achats_en_ligne", gettext_noop("Online banking and shopping")),
    ("entrepreneuriat", gettext_noop("Helping a professional")),
    ("insertion_professionnelle", gettext_noop("Employment")),
    ("securite_numerique", gettext_noop("Digital-security prevention")),
    ("parentalite", gettext_noop("Parenting")),
    ("scolarite_et_numerique", gettext_noop("Schooling and digital tools")),
    ("creer_avec_le_numerique", gettext_noop("Creating with digital tools")),
    ("culture_numerique", gettext_noop("Digital culture")),
    ("intelligence_artificielle", gettext_noop("Artificial intelligence (AI)")),
    ("aide_aux_demarches_administratives", gettext_noop("Help with administrative procedures")),
]
ADMINISTRATIVE_PARENT = "aide_aux_demarches_administratives"
ADMINISTRATIVE = [
    ("papiers_elections_citoyennete", gettext_noop("Papers, elections, citizenship")),
    ("famille_scolarite", gettext_noop("Family, schooling")),
    ("social_sante", gettext_noop("Social welfare, health")),
    ("travail_formation", gettext_noop("Work, training, business")),
    ("logement", gettext_noop("Housing")),
    ("transports_mobilite", gettext_noop("Transport, mobility")),
    ("argent_impots", gettext_noop("Money, taxes")),
    ("justice", gettext_noop("Justice")),
    ("etrangers_europe", gettext_noop("Foreigners, Europe")),
    ("loisirs_sports_culture", gettext_noop("Leisure, sports, culture")),
    ("associations", gettext_noop("Associations")),
]
LOCAL = [("jeux-video-ecrans-prevention", gettext_noop("Video games and screens — prevention"))]


def seed(apps, schema_editor):
    theme = apps.get_model("mediation", "Theme")
    for order, (code, label) in enumerate(DIGITAL_SKILLS, start=1):
        theme.objects.update_or_create(
            code=code.replace("_", "-"),
            defaults={"label": label, "kind": "digital_skill", "national_code": code, "order": order * 10},
        )
    parent = theme.objects.get(national_code=ADMINISTRATIVE_PARENT)
    for order, (code, label) in enumerate(ADMINISTRATIVE, start=1):
        theme.objects.update_or_create(
            code=code.replace("_", "-"),
            defaults={
                "label": label,
                "kind": "administrative",
                "national_code": code,
                "parent": parent,
                "order": parent.order + order,
            },
        )
    for order, (code, label) in enumerate(LOCAL, start=1):
        theme.objects.update_or_create(
            code=code, defaults={"label": label, "kind": "local", "national_code": "", "order": 1000 + order}
        )


def unseed(apps, schema_editor):
    codes = [code.replace("_", "-") for code, _label in DIGITAL_SKILLS + ADMINISTRATIVE] + [c for c, _l in LOCAL]
    theme = apps.get_model("mediation", "Theme")
    theme.objects.filter(code__in=codes, kind="administrative").delete()
    theme.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
