"""Self-check functions for the lessons' "Your turn" exercises, one module per lesson.

Each checker takes the learner's answer and returns a :class:`course_lib.checks.Verdict`; each
module also holds the reference solutions that the hidden solution cells call, so that
``tests/`` can check both ways: the solution passes, a typical wrong answer fails with a hint.
"""
