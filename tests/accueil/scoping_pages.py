"""The agents' inbox pages for the project-wide scoping test (tests/test_backoffice_scoping.py)."""

from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, RequestEventFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    request = ContactRequestFactory(mds=mds, last_name=f"Demandeur {mds.name}", message=f"Message pour {mds.name}")
    RequestEventFactory(request=request, text=f"Note {mds.name}")
    return {"mds": mds, "request": request}


# Mediators hold no permission on requests: the inbox's pages refuse them.
_MEDIATOR = frozenset({Role.MEDIATOR})
_LISTS = ["accueil:inbox", "accueil:inbox_csv", "accueil:indicators", "accueil:walk_in"]

PAGES = ScopedPages(
    build=build,
    object_pages={
        name: (lambda o: {"pk": o["request"].pk})
        for name in (
            "accueil:request_detail",
            "accueil:request_take",
            "accueil:request_assign",
            "accueil:request_status",
            "accueil:request_note",
            "accueil:request_reply",
        )
    },
    list_pages=_LISTS,
    closed_to=dict.fromkeys(_LISTS, _MEDIATOR),
)
