import pytest

from tests.mediation.factories import seed_taxonomy


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The taxonomy as migration 0002 seeds it, for every test that uses the database."""
    if request.node.get_closest_marker("django_db") is not None:
        from mediation.models import Theme

        if not Theme.objects.exists():  # one query; seeding every test cost ~0.25 s each
            seed_taxonomy()


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
