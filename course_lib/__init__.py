"""System Design Lab's companion package.

Lessons live in ``notebooks/``; everything a lesson computes lives here, with tests in ``tests/``.
The package follows one idea throughout: *a description, an engine, a view* — a frozen dataclass
describes a scenario, a pure function runs it (simpy or a real process) and returns a result, and a
thin plotly/ipywidgets view shows that result.
"""

__version__ = "0.1.0"
