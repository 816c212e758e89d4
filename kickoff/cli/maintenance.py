"""Maintainer commands: regenerate what is generated from the code (the docs' blocks, the taggable types,
cdk.context.json). Operators never need them."""

from __future__ import annotations

import argparse

from kickoff.cli.common import context_pairs, emit, load_selected
from kickoff.config.context import CONTEXT_FILE, availability_zone_context, write_context_file
from kickoff.readme import update_docs
from kickoff.rules.taggable import TABLE_FILE, write_table


def readme(args: argparse.Namespace) -> int:
    changed = update_docs()
    emit(f"docs: {'updated ' + ', '.join(changed) if changed else 'generated blocks already current'}")
    return 0


def taggable(args: argparse.Namespace) -> int:
    emit(f"wrote {TABLE_FILE.name}: {write_table()} taggable resource types (from cfn-lint's schemas)")
    return 0


def context(args: argparse.Namespace) -> int:
    extra = availability_zone_context(load_selected(args)) if context_pairs(args) else {}
    entries = write_context_file(extra=extra)
    emit(f"wrote {len(entries)} availability-zone entries to {CONTEXT_FILE.name}")
    return 0
