"""Exercises as a course-wide system: reading answers, recording progress, grading notebooks.

- :mod:`~course_lib.grading.answers` reads a learner's answer the same way in every lesson;
- :mod:`~course_lib.grading.declare` declares each lesson's checks, one line each, with the
  words (questions, hints, worked solutions, feedback) from the lesson's TOML file;
- :mod:`~course_lib.grading.exercise` numbers each lesson's checks and keeps their tiered hints
  and worked solutions (``hint(n)``, ``solution(n)``);
- :mod:`~course_lib.grading.progress` records each check locally;
- :mod:`~course_lib.grading.notebooks` hides solution cells and makes student versions;
- :mod:`~course_lib.grading.grade` and :mod:`~course_lib.grading.cli` are the instructor's
  ``python -m course_lib grade`` / ``student-version`` and the learner's ``progress``.

The result type itself, :class:`course_lib.grading.checks.CheckResult`, lives in
:mod:`course_lib.grading.checks`. Nothing here is imported at package import time, so a lesson pays
only for what it uses.
"""
