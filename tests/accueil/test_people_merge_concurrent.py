"""Two merges of one duplicate at once: the second waits for the first, then finds it merged and refuses."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accueil.models import Person
from accueil.people import person_merge
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_merge_waits_for_one_in_progress_on_the_same_duplicate_and_then_refuses():
    """Without the row locks, the second merge would read the duplicate before the first committed, pass its
    checks and point the duplicate to its own record while the requests went to the first one's."""
    mds = MdsFactory()
    manager = agent_with_role(Role.MDS_MANAGER, mds)
    first, second, duplicate = (PersonFactory(mds=mds) for _ in range(3))
    request = ContactRequestFactory(mds=mds, person=duplicate)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def merge_in_progress():  # the first merge, holding the duplicate's row until told to commit
        try:
            with transaction.atomic():
                Person.objects.select_for_update().get(pk=duplicate.pk)
                type(request).objects.filter(pk=request.pk).update(person=first)
                Person.objects.filter(pk=duplicate.pk).update(merged_into=first)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def second_merge():
        try:
            person_merge(actor=manager, kept=second, duplicate=duplicate)
            outcome["result"] = "merged"
        except ValidationError as error:
            outcome["result"] = error
        finally:
            connection.close()

    holder = threading.Thread(target=merge_in_progress)
    holder.start()
    assert locked.wait(30)
    contender = threading.Thread(target=second_merge)
    contender.start()
    time.sleep(2)  # the second merge is now waiting on the duplicate's row
    assert contender.is_alive()
    release.set()
    holder.join(30), contender.join(30)

    assert isinstance(outcome["result"], ValidationError)
    duplicate.refresh_from_db(), request.refresh_from_db()
    assert duplicate.merged_into_id == first.pk and request.person_id == first.pk
