"""What a Region registers with its agent, as SSM parameters under one path.

- ``<path>/spec``: the static half of every plan (``CapacitySpec`` without services): the planner's knobs, every
  cell with its quotas, the horizon, the baseline. One per environment and Region, written by the agent's construct.
- ``<path>/services/<name>``: one per service, written by ``PrescaledService``: its load model and bounds
  (``ServiceModel``) and its scalable target's resource ID.

Both are static config: a change is a release, reviewed in ``cdk diff``. The calendar is not here: it is the
forecast document, which changes without one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kickoff.agent.codec import CodecError, from_json, to_json
from kickoff.scaling.model import ServiceModel
from kickoff.scaling.spec import CapacitySpec

SPEC_FORMAT = "kickoff-capacity-spec/1"
SERVICE_FORMAT = "kickoff-service/1"
SSM_STANDARD_LIMIT = 4096
"""Bytes of a Standard-tier SSM parameter value; above it the Advanced tier (8 KB) is needed."""


@dataclass(frozen=True)
class RegisteredService:
    """A service the agent scales: its model and its scalable target (``service/<cluster>/<service>``)."""

    model: ServiceModel
    resource_id: str


def spec_parameter(spec: CapacitySpec, environment: str) -> str:
    """The spec parameter's value (services are registered one by one, so they are left out)."""
    return json.dumps(
        {"format": SPEC_FORMAT, "environment": environment, "spec": to_json(replace(spec, services=()))},
        sort_keys=True,
        separators=(",", ":"),
    )


def service_parameter(model: ServiceModel, resource_id: str) -> dict[str, Any]:
    """A service parameter's value, as a JSON object (the resource ID may be a deploy-time token)."""
    return {"format": SERVICE_FORMAT, "service": to_json(model), "resource_id": resource_id}


class RegistrationError(ValueError):
    pass


def read_registration(
    parameters: Mapping[str, str], path: str, environment: str
) -> tuple[CapacitySpec, dict[str, str]]:
    """The spec with every registered service, and each service's resource ID, from the parameters under ``path``
    (name -> value). Raises RegistrationError naming the parameter that does not read."""
    spec_name = f"{path}/spec"
    if spec_name not in parameters:
        raise RegistrationError(f"{spec_name}: missing (is the agent's stack deployed in this Region?)")
    try:
        data = json.loads(parameters[spec_name])
        if data.get("format") != SPEC_FORMAT or data.get("environment") != environment:
            raise RegistrationError(f"{spec_name}: not a {SPEC_FORMAT} for {environment}")
        spec = from_json(CapacitySpec, data["spec"], spec_name)
    except (json.JSONDecodeError, KeyError, CodecError) as error:
        raise RegistrationError(f"{spec_name}: {error}") from None
    services: list[ServiceModel] = []
    targets: dict[str, str] = {}
    for name in sorted(n for n in parameters if n.startswith(f"{path}/services/")):
        try:
            data = json.loads(parameters[name])
            if data.get("format") != SERVICE_FORMAT:
                raise RegistrationError(f"{name}: not a {SERVICE_FORMAT}")
            model = from_json(ServiceModel, data["service"], name)
            resource_id = data["resource_id"]
        except (json.JSONDecodeError, KeyError, CodecError) as error:
            raise RegistrationError(f"{name}: {error}") from None
        if model.name in targets:
            raise RegistrationError(f"{name}: service {model.name} is registered twice")
        if not isinstance(resource_id, str) or not resource_id.startswith("service/"):
            raise RegistrationError(f"{name}: resource_id {resource_id!r} is not service/<cluster>/<service>")
        services.append(model)
        targets[model.name] = resource_id
    if not services:
        raise RegistrationError(f"{path}/services/: no service is registered")
    return replace(spec, services=tuple(services)), targets
