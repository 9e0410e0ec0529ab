import importlib

import pytest
from django.apps import apps

_seed = importlib.import_module("mediation.migrations.0002_seed_taxonomy").seed


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The taxonomy as migration 0002 seeds it: a transactional test's flush empties the tables it leaves (the
    migration does not run again on a reused test database), so it is put back, the same idempotent way."""
    if request.node.get_closest_marker("django_db") is not None:
        _seed(apps, None)


@pytest.fixture(autouse=True)
def _broker_believed_up():
    """Each test starts with the broker believed up (core.outbox skips it for half a minute after a refusal)."""
    from core import outbox

    outbox.broker_believed_up()
    yield
    outbox.broker_believed_up()


@pytest.fixture
def public_pages(settings):
    """Links in the messages are absolute, to the public pages (mediation.urls_public)."""
    settings.MEDIATION_LINK_BASE_URL = "https://mds.example.fr"
