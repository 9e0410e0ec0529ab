"""What each app declares for the project-wide scoping test (tests/test_backoffice_scoping.py).

An app's `ScopedPages` says how to build one MDS's worth of its objects and which back-office
URL names show one object (with the URL kwargs for it) or a list. The test builds MDS "Alpha"
and MDS "Bravo", signs in an agent of Alpha and checks that nothing of Bravo is reachable.
`build(mds)` must put the MDS's name in every label it creates, so that the list pages can be
searched for "Bravo".
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScopedPages:
    build: Callable[[object], dict]  # (mds) -> dict of that MDS's objects, by name
    object_pages: dict[str, Callable[[dict], dict]] = field(default_factory=dict)  # url name -> kwargs
    list_pages: list[str] = field(default_factory=list)
    # The per-MDS roles a list page refuses (403), by url name; every other per-MDS role opens it (200).
    closed_to: dict[str, frozenset] = field(default_factory=dict)
    # List pages only département-wide roles may open (e.g. ops declaring maintenance): per-MDS agents get 403.
    departement_wide_pages: list[str] = field(default_factory=list)
    unscoped_pages: set[str] = field(default_factory=set)  # sign-in pages and the like: nothing to scope
