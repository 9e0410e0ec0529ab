import pytest

from core import outbox


@pytest.fixture(autouse=True)
def broker_believed_up():
    """Each test starts with the broker believed up: a broker-down test must not leave the next one's
    notifications waiting for the sweep (notify() skips the broker for half a minute after a refusal)."""
    outbox.broker_believed_up()
    yield
    outbox.broker_believed_up()
