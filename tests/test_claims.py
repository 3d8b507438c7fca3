"""The one claim type (course_lib.core.claims): its two renderings, agreement, validation.

The lessons' printed text is pinned by their stored outputs (03b, 04, 05b, 07); these tests pin
the rendering rules those outputs rely on, so a change to them fails here first.
"""

import pytest

from course_lib.core.claims import Claim, shown
from course_lib.core.validate import FieldTypeError


def test_a_line_is_a_mark_and_the_text():
    assert str(Claim("b1 marked down in range", 1.2, (1.0, 1.5), True, unit="s")) == (
        "✅ b1 marked down in range")
    assert Claim("the backup never served traffic", False, True, False).line() == (
        "❌ the backup never served traffic")
    assert Claim("p99", True, True, True, note="close to the line").line() == (
        "✅ p99 (close to the line)")


def test_equal_agrees_exactly_when_both_sides_say_the_same():
    assert Claim.equal("no write rejected", True, True).agree
    assert not Claim.equal("no write rejected", True, False).agree
    assert Claim.equal("x", False, False) == Claim("x", False, False, True)


def test_a_row_words_booleans_and_the_verdict():
    assert Claim.equal("no record lost", True, False).row() == [
        "no record lost", "yes", "no", "DISAGREE"]
    near = Claim.equal("p99_ms", False, False, note="close to the line in the simulation")
    assert near.row(("met", "not met"), ("yes", "NO")) == [
        "p99_ms", "not met", "not met", "yes  (close to the line in the simulation)"]


@pytest.mark.parametrize(("value", "unit", "cell"), [
    (None, "", "–"), (2, "", "2"), (0.123456, "s", "0.123 s"), ((1.0, 1.5), "s", "[1, 1.5] s"),
    ("refused", "", "refused"), (True, "", "yes"),
])
def test_shown_cells(value, unit, cell):
    assert shown(value, unit=unit) == cell


def test_a_claim_needs_text_and_a_real_verdict():
    with pytest.raises(FieldTypeError, match=r"text must be a non-empty string \(got ''\)"):
        Claim("", 1, 1, True)
    with pytest.raises(FieldTypeError, match=r"agree must be True or False \(got 1\)"):
        Claim("x", 1, 1, 1)  # type: ignore[arg-type]
