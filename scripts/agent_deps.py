"""Unpack the capacity agent's ARM64 wheels (``make setup``): ``python scripts/agent_deps.py WHEELS_DIR OUT_DIR``.

Test suites, type stubs and f2py are left out: the Lambda never imports them, and they are a fifth of numpy.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

SKIPPED_PARTS = {"tests", "f2py", "__pycache__"}


def unpack(wheels: Path, out: Path) -> int:
    count = 0
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                parts = Path(member.filename).parts
                if member.is_dir() or SKIPPED_PARTS & set(parts) or member.filename.endswith(".pyi"):
                    continue
                archive.extract(member, out)
                count += 1
    return count


if __name__ == "__main__":
    wheels, out = Path(sys.argv[1]), Path(sys.argv[2])
    print(f"agent dependencies: {unpack(wheels, out)} files from {wheels} into {out}")
