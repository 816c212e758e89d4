"""The bootstrap's scoped CloudFormation execution policy, and the permissions boundary, for one account.

The policy is computed from the resource types the account's stacks in an assembly hold
(``kickoff.rules.execution_policy``); this module picks the stacks and names what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.reports.assembly import missing_assembly
from kickoff.rules.assembly import read_stacks
from kickoff.rules.execution_policy import UnknownResourceType, execution_policy, permissions_boundary, render


@dataclass(frozen=True)
class PolicyDocument:
    """A policy as JSON text (code 0), or why there is none (code 1 an unknown type, 2 no stacks to read)."""

    code: int
    text: str


def account_policy(config: KickoffConfig, outdir: Path, account: str | None, *, boundary: bool) -> PolicyDocument:
    """The execution policy (or with ``boundary`` the permissions boundary) for ``account`` (default the config's)."""
    missing = missing_assembly(config, outdir)
    if missing:
        return PolicyDocument(2, f"kickoff: {missing}")
    account = account or config.account
    stacks = [s for s in read_stacks(outdir) if s.account == account]
    if not stacks:
        accounts = sorted({s.account for s in read_stacks(outdir)})
        return PolicyDocument(
            2, f"kickoff: no stack of {outdir} deploys to {account} (accounts: {', '.join(accounts)})"
        )
    name = naming.permissions_boundary_name(config.identity)
    if boundary:
        return PolicyDocument(0, render(permissions_boundary(account=account, boundary_name=name)))
    types = {r["Type"] for s in stacks for r in s.template().get("Resources", {}).values()}
    try:
        policy = execution_policy(
            types, account=account, name_prefix=f"{naming.environment_key(config.identity)}-", boundary_name=name
        )
    except UnknownResourceType as error:
        return PolicyDocument(1, f"kickoff: {error}")
    return PolicyDocument(0, render(policy))
