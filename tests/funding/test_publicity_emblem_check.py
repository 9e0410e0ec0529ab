"""What `publicity_evidence` reports about the emblem a page showed (funding.publicity_capture.emblem_problem)."""

from funding.publicity_capture import emblem_problem

GOOD = {"found": True, "complete": True, "top": 12, "left": 16, "bottom": 60, "right": 88, "height": 48, "width": 72,
        "screenWidth": 360, "screenHeight": 640, "tallestOtherLogo": 0}  # fmt: skip


def test_an_emblem_whole_on_the_first_screen_and_the_tallest_logo_is_fine():
    assert emblem_problem(GOOD) == ""
    assert emblem_problem(GOOD | {"tallestOtherLogo": 48}) == ""


def test_a_missing_or_unloaded_emblem_is_a_problem():
    assert emblem_problem({"found": False}) == "no EU emblem on the page"
    assert emblem_problem(GOOD | {"complete": False}) == "the EU emblem's image did not load"
    assert emblem_problem(GOOD | {"height": 0}) == "the EU emblem is not shown"


def test_an_emblem_below_the_first_screen_or_cut_is_a_problem():
    assert "not whole on the first screen" in emblem_problem(GOOD | {"top": 620, "bottom": 668})
    assert "not whole on the first screen" in emblem_problem(GOOD | {"top": -10, "bottom": 38})
    assert "not whole on the first screen" in emblem_problem(GOOD | {"left": 300, "right": 372})


def test_an_emblem_smaller_than_another_logo_is_a_problem():
    assert emblem_problem(GOOD | {"tallestOtherLogo": 60}) == (
        "the EU emblem (48 px) is smaller than another logo (60 px)"
    )
