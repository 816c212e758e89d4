"""Fixed-width text tables, as every command and report prints them."""

from __future__ import annotations

from collections.abc import Sequence


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] | None = None) -> str:
    """A plain fixed-width table. The columns in ``right`` are right-aligned; by default, every column whose cells
    are all plain numbers."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    if right is None:
        right = [i for i in range(len(headers)) if cells and all(is_number(r[i]) for r in cells)]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in cells)])
