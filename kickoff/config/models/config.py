"""KickoffConfig: the fields of ``ConfigFields``, checked across fields by ``kickoff.config.checks``.

The checks read the fields' model (``ConfigFields``), and this model calls the checks: the fields, the checks and
the validated whole are three modules in one direction, type-checking imports included.
"""

from __future__ import annotations

from pydantic import model_validator

from kickoff.config.checks import check_config
from kickoff.config.models.root import ConfigFields


class KickoffConfig(ConfigFields):
    """Everything one environment of Kickoff is built from."""

    @model_validator(mode="after")
    def _cross_fields(self) -> KickoffConfig:
        check_config(self)
        return self
