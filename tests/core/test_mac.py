import pytest
from django.core.exceptions import ValidationError

from core.mac import normalise_mac


@pytest.mark.parametrize(
    "written",
    ["AA:BB:CC:DD:EE:0F", "aa-bb-cc-dd-ee-0f", "aabb.ccdd.ee0f", "AABBCCDDEE0F", " aa:bb:cc:dd:ee:0f "],
)
def test_every_usual_spelling_of_a_mac_is_stored_one_way(written):
    """Gateways, controllers and spreadsheets spell MACs differently; the database holds one spelling."""
    assert normalise_mac(written) == "aa:bb:cc:dd:ee:0f"


@pytest.mark.parametrize("written", ["", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:0g", "aa:bb:cc:dd:ee:0f:11"])
def test_what_is_not_a_mac_is_refused_with_a_message_that_quotes_it(written):
    """A typo in an import or a forged gateway parameter is refused, quoting what was given."""
    with pytest.raises(ValidationError) as refused:
        normalise_mac(written)
    assert "MAC" in str(refused.value)
