"""Summarize how the templates of two cloud assemblies differ, resource by resource.

For a change that is meant to alter templates, byte identity (scripts/template_identity.py) cannot be the proof;
this summary is: per stack, which logical IDs were added or removed, and for each changed resource which
top-level properties (or DependsOn, DeletionPolicy, ...) differ. A reviewer checks that every line is one the change
explains. Stacks are matched by template file name, so both assemblies must come from the same config.

    .venv/bin/python scripts/template_diff.py <base cdk.out> <new cdk.out> [--out summary.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ATTRIBUTES = ("Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition", "Metadata")


def templates(outdir: Path) -> dict[str, dict[str, Any]]:
    """Every template of an assembly and its nested assemblies (pipeline stages), by file name."""
    return {p.name: json.loads(p.read_text()) for p in sorted(outdir.rglob("*.template.json"))}


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = []
    for attribute in ATTRIBUTES:
        a, b = old.get(attribute), new.get(attribute)
        if a == b:
            continue
        if attribute == "Properties" and isinstance(a, dict) and isinstance(b, dict):
            keys += [f"{k}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k) and k != "Metadata"]
        else:
            keys.append(attribute)
    return keys


def diff_template(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per added, removed or changed resource (metadata and asset hashes are left out)."""
    a, b = old.get("Resources", {}), new.get("Resources", {})
    lines = []
    for logical_id in sorted(set(a) | set(b)):
        if logical_id not in a:
            lines.append(f"+ {logical_id} ({b[logical_id]['Type']})")
        elif logical_id not in b:
            lines.append(f"- {logical_id} ({a[logical_id]['Type']})")
        else:
            keys = _changed_keys(a[logical_id], b[logical_id])
            if keys:
                lines.append(f"~ {logical_id} ({b[logical_id]['Type']}): {', '.join(keys)}")
    for section in ("Outputs", "Parameters", "Conditions", "Mappings"):
        if old.get(section) != new.get(section):
            lines.append(f"~ {section}")
    return lines


def summary(base: Path, new: Path) -> str:
    old_t, new_t = templates(base), templates(new)
    out = [f"# Template changes: {base} -> {new}", ""]
    kinds: Counter[str] = Counter()
    for name in sorted(set(old_t) | set(new_t)):
        if name not in old_t:
            out += [f"## {name}: new template", ""]
            continue
        if name not in new_t:
            out += [f"## {name}: removed", ""]
            continue
        lines = diff_template(old_t[name], new_t[name])
        kinds.update(line[0] for line in lines)
        out += [f"## {name}: {len(lines)} change(s)" if lines else f"## {name}: identical", ""]
        out += [f"    {line}" for line in lines] + ([""] if lines else [])
    out.append(f"Totals: {kinds['+']} added, {kinds['-']} removed, {kinds['~']} changed resources or sections.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    for outdir in (args.base, args.new):
        if not (outdir / "manifest.json").is_file():
            print(f"template_diff: {outdir} holds no cloud assembly. Fix: synthesize into it first", file=sys.stderr)
            return 2
    text = summary(args.base, args.new)
    if args.out:
        args.out.write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
