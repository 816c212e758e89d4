"""Config errors: one readable message naming the file, the field path and the fix."""

from __future__ import annotations

from collections.abc import Sequence


class ConfigError(Exception):
    """A config file cannot be used. ``str(err)`` is the complete user-facing message."""


class FieldProblem(ValueError):
    """Raised inside validators to point at a precise field below the validated model.

    ``loc`` is relative to the model the validator belongs to, so a model validator on
    ``ServiceConfig`` can blame ``("min_tasks",)`` and the loader reports
    ``services[1].min_tasks``. ``fix`` tells the user what to change.
    """

    def __init__(self, loc: Sequence[str | int], problem: str, fix: str) -> None:
        super().__init__(problem)
        self.loc = tuple(loc)
        self.problem = problem
        self.fix = fix


class FieldProblems(ValueError):
    """Several independent ``FieldProblem``s of one model, reported together (one run shows every problem)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(p.problem for p in problems))
        self.problems = tuple(problems)
