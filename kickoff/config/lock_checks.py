"""Config checks against stateful.lock.json: what is deployed decides what a config may change in one release."""

from __future__ import annotations

from kickoff import naming
from kickoff.config.errors import ConfigError
from kickoff.config.models import KickoffConfig
from kickoff.lockfile import LOCK_FILE, read_lock, replica_regions


def check_new_regions_enter_evacuated(config: KickoffConfig) -> None:
    """A Region the lock does not know yet joins routing one release after it is deployed.

    Each routed cell's secondary record names ``except-<its region>``, which only the *other* cells write. A new
    cell that is routed in its first release goes live with a secondary origin that resolves nowhere until every
    other cell has deployed again (the waves after it, or never, for a cell deployed alone). Evacuated in its first
    release, it writes no routing record, while the others write its ``except-`` record; the next release routes
    it. A new environment (not in the lock at all) is exempt: the edge deploys after every cell, so nothing routes
    to a cell before all of them exist.
    """
    locked = read_lock(LOCK_FILE).get(naming.environment_key(config.identity))
    if locked is None:
        return
    known = replica_regions(locked)
    new = [(i, r.name) for i, r in enumerate(config.regions) if r.name not in known and not r.evacuate]
    if not new:
        return
    fields = "; ".join(config.locate(("regions", i, "evacuate")) for i, _ in new)
    names = ", ".join(n for _, n in new)
    raise ConfigError(
        f"{fields}: {names} {'is' if len(new) == 1 else 'are'} new ({LOCK_FILE.name} holds no replica there) and "
        "would join routing in the release that creates "
        f"{'it' if len(new) == 1 else 'them'}: its secondary origin (except-<region>) is written by the other cells, "
        "which deploy after it or not at all, so viewers failing over from it would resolve nowhere.\n"
        f"  Fix: add {'it' if len(new) == 1 else 'them'} with evacuate: true, deploy, run "
        "`python -m kickoff lock --write`, then remove evacuate in the next release."
    )
