"""Shared fixtures: configs, and one synthesis per config per test session (per pytest-xdist worker).

Synthesis runs in-process with the cdk-nag packs attached (any unacknowledged finding
fails the fixture) and aws-cdk-lib's built-in CloudFormation validation off: it costs
about 3 s per synth and `make synth` already runs it.

Under pytest-xdist (``make test`` runs one worker per core), a session fixture runs once in each worker that needs
it. prod and dev are needed everywhere; the other variants and the module-scoped fixtures are expensive and needed
by few tests, so those tests are grouped onto one worker (``--dist loadgroup``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from _pytest.nodeid import NodeId

from tests.support import VARIANTS, Synth, _deep_merge, config_data, synthesize_named


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config variant: ``write_config(base="prod", overrides={...})`` or ``text=...``."""

    def write(
        base: str = "prod",
        overrides: dict[str, Any] | None = None,
        *,
        text: str | None = None,
        name: str = "variant.yaml",
    ) -> Path:
        path = tmp_path / name
        if text is None:
            text = yaml.safe_dump(_deep_merge(config_data(base), overrides or {}), sort_keys=False)
        path.write_text(text)
        return path

    return write


def _fixture(name: str) -> Callable[[pytest.TempPathFactory], Synth]:
    def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
        return synthesize_named(tmp_path_factory, name)

    synth.__doc__ = f"{VARIANTS[name].description}, synthesized once per session (tests/variants.py)."
    synth.__name__ = name
    return pytest.fixture(scope="session", name=name)(synth)


prod = _fixture("prod")
dev = _fixture("dev")
strong = _fixture("strong")
evacuated = _fixture("evacuated")
with_arc = _fixture("with_arc")
parallel_waves = _fixture("parallel_waves")


SHARED = {"prod", "dev", "synthesized"}


def pytest_itemcollected(item: pytest.Item) -> None:
    """Group a test that uses a variant fixture (other than prod and dev) with the others that use it, and each test
    of a module with a module-scoped fixture with its module: each such fixture then runs once. (At collection: by
    ``pytest_collection_modifyitems`` pytest-xdist has already read the groups into the test IDs.)"""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return
    # A variant named by the fixture closure, or by a parameter that the test passes to request.getfixturevalue.
    params = getattr(getattr(item, "callspec", None), "params", {})
    named = [*info.names_closure, *(v for v in params.values() if isinstance(v, str))]
    variants = sorted({n for n in named if n in VARIANTS and n not in SHARED})
    module_scoped = any(
        defs and defs[-1].scope == "module" for name, defs in info.name2fixturedefs.items() if name != "request"
    )
    if variants:
        item.add_marker(pytest.mark.xdist_group(name=variants[0]))
    elif module_scoped:
        module = getattr(item, "module", None)
        item.add_marker(pytest.mark.xdist_group(name=module.__name__ if module else item.nodeid))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Write each test's group into its ID, where ``--dist loadgroup`` reads it.

    pytest-xdist 3.8 appends ``@<group>`` to ``item._nodeid``, which pytest 9.2's nodes no longer read (the ID is
    ``item._id``): without this, every group is split across the workers and its fixture runs on each
    (``tests/test_xdist_groups.py`` checks that the groups arrive; upstream: pytest-dev/pytest-xdist#1386, fix
    proposed in #1388)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = sorted({str(m.kwargs.get("name") or m.args[0]) for m in item.iter_markers("xdist_group")})
        if groups and "@" not in item.nodeid.rsplit("]", 1)[-1]:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


@pytest.fixture(scope="session", params=["prod", "dev"])
def synthesized(request: pytest.FixtureRequest) -> Synth:
    """Each shipped config, for assertions that must hold for all of them."""
    return request.getfixturevalue(request.param)
