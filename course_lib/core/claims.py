"""A claim about a run, decided on the real system and in the model, and whether the two agree.

Every lab that runs the real thing (HAProxy in lesson 03b, a Kafka cluster in 04 and 05b, the
capstone's shop in 07) ends the same way: the model says X, the real system showed Y, do they
agree? :class:`Claim` is that one shape, course-wide: what was claimed (``text``), the
``measured`` value, the ``simulated`` (predicted) value, and ``agree``.

Why ``agree`` is stored and not computed: what counts as agreement is the lab's knowledge, not
the claim's. A yes/no claim agrees when both sides say the same (:meth:`Claim.equal`); a
detection time agrees when it falls inside the simulated range widened by an allowance; a share
of traffic when it is within a few points of the simulated one. The lab decides, the claim
records the decision beside the two values it was made from.

The words a lesson prints depend only on ``text`` and ``agree`` (and ``note``), never on raw
measurements, so a checked notebook cell shows the same text on every machine where the claim
holds. Two renderings, for every lab:

* :meth:`Claim.line` (also ``str(claim)``): ``✅ text`` or ``❌ text``;
* :meth:`Claim.row`: ``[text, measured, simulated, verdict]`` cells for a text table, with
  yes/no (or met/not met) words for booleans.

Introduced in ``notebooks/03b_failover_for_real.ipynb``; also used by lessons 04, 05b and 07.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_lib.core.validate import FieldTypeError, description, flag

__all__ = ["AGREE_MARK", "DISAGREE_MARK", "Claim", "shown"]

AGREE_MARK = "✅"
DISAGREE_MARK = "❌"


def shown(value: object, words: tuple[str, str] = ("yes", "no"), unit: str = "") -> str:
    """One side of a claim as a table cell.

    A boolean becomes ``words`` (``yes``/``no``, or ``met``/``not met``); ``None`` (not measured
    or not predicted) a dash; a float three significant digits; a sequence (a predicted range
    ``(low, high)``, or one share per backend) its items in brackets. ``unit`` follows a number
    or a sequence of numbers.
    """
    if isinstance(value, bool):
        return words[0] if value else words[1]
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        text = f"{value:.3g}"
    elif isinstance(value, Sequence):
        text = "[" + ", ".join(shown(v, words) for v in value) + "]"
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text


@description
@dataclass(frozen=True)
class Claim:
    """What was claimed, the measured and the simulated value, and whether they agree.

    ``measured`` and ``simulated`` are whatever the claim is about: booleans for a yes/no claim
    ("no acknowledged record lost"), numbers with a ``unit`` ("s"), a range ``(low, high)`` for a
    prediction that is a range, or ``None`` for a side that was not decided (the model is not
    asked whether HAProxy refused a command). ``note`` qualifies the verdict without changing
    it (the capstone's "close to the line in the simulation": a disagreement there is not a
    model error). Frozen and hashable: values that are sequences are tuples.
    """

    text: str
    measured: object
    simulated: object
    agree: bool
    unit: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text:
            raise FieldTypeError(f"text must be a non-empty string (got {self.text!r})")
        flag("agree", self.agree)

    @classmethod
    def equal(cls, text: str, measured: object, simulated: object, *, note: str = "") -> Claim:
        """A claim decided on each side (usually yes/no) that agrees when both sides are equal."""
        return cls(text, measured, simulated, measured == simulated, note=note)

    @property
    def mark(self) -> str:
        return AGREE_MARK if self.agree else DISAGREE_MARK

    def line(self) -> str:
        """``✅ text`` or ``❌ text`` (with ``(note)`` after it when there is one)."""
        return f"{self.mark} {self.text}" + (f" ({self.note})" if self.note else "")

    def __str__(self) -> str:
        return self.line()

    def row(self, words: tuple[str, str] = ("yes", "no"),
            verdict: tuple[str, str] = ("agree", "DISAGREE")) -> list[str]:
        """Cells ``[text, measured, simulated, verdict]`` for a text table.

        ``words`` name a boolean side, ``verdict`` the agreement; the note follows the verdict
        word in parentheses, two spaces apart.
        """
        said = verdict[0] if self.agree else verdict[1]
        return [self.text, shown(self.measured, words, self.unit),
                shown(self.simulated, words, self.unit),
                said + (f"  ({self.note})" if self.note else "")]
