"""The lessons' "Your turn" exercises, one module and one words file per lesson.

``lessonNN.py`` computes each reference solution (``solution_<name>``) and declares how an
answer is judged (:mod:`course_lib.grading.declare`); ``lessonNN.toml`` holds what the learner
reads: the question, three hints, the worked solution and the feedback. Each check returns a
:class:`course_lib.grading.checks.CheckResult`, so ``tests/`` can check both ways: the solution
passes, a typical wrong answer fails with the hint that names its mistake.
"""
