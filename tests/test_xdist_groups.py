"""Under ``--dist loadgroup`` (``make test``), a test with a module-scoped fixture carries its module's group in its
ID, which is what sends the module's tests to one worker (tests/conftest.py): its fixture then runs once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_xdist_groups_reach_the_ids(shared, request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not under pytest-xdist's --dist loadgroup")
    assert request.node.nodeid.endswith("@tests.test_xdist_groups")


def test_a_test_without_a_shared_fixture_is_not_grouped(request: pytest.FixtureRequest) -> None:
    assert "@" not in request.node.nodeid
