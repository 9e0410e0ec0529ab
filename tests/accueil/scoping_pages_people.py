from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    person = PersonFactory(mds=mds, first_name="Nadia", last_name=f"Usager {mds.name}")
    other = PersonFactory(mds=mds, first_name="Karim", last_name=f"Doublon {mds.name}")
    ContactRequestFactory(mds=mds, person=person, last_name=f"Usager {mds.name}")
    return {"mds": mds, "person": person, "other": other}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "accueil_people:person_detail": lambda o: {"pk": o["person"].pk},
        "accueil_people:person_edit": lambda o: {"pk": o["person"].pk},
        "accueil_people:person_relative": lambda o: {"pk": o["person"].pk},
        "accueil_people:person_merge": lambda o: {"pk": o["person"].pk},
    },
    list_pages=["accueil_people:people", "accueil_people:people_csv", "accueil_people:person_create"],
    # Digital mediators run workshops; they answer no request and see no person record.
    closed_to={
        "accueil_people:people": frozenset({Role.MEDIATOR}),
        "accueil_people:people_csv": frozenset({Role.MEDIATOR}),
        "accueil_people:person_create": frozenset({Role.MEDIATOR}),
    },
)
