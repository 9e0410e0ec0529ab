import pytest
from django.conf import settings


@pytest.fixture
def operation(db):
    """The operation as the shipped data file approves it."""
    from funding.models import Operation
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)
    return Operation.objects.get(reference="mds-connectees")


@pytest.fixture
def private_storage(settings, tmp_path):
    """Supporting documents go to a temporary private folder, never under MEDIA_ROOT."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    from django.core.files.storage import storages

    from funding.models import Document

    storages._storages.pop("private", None)
    # The field resolved its callable storage once, when the model was defined: point it at the temporary one too.
    field = Document._meta.get_field("file")
    kept = field.storage
    field.storage = storages["private"]
    yield tmp_path / "private"
    field.storage = kept
    storages._storages.pop("private", None)
