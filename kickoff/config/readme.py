"""Keep README.md's generated config reference in step with the models."""

from __future__ import annotations

from pathlib import Path

from kickoff.config.loader import REPO_ROOT
from kickoff.config.reference import BEGIN, END, render

README = REPO_ROOT / "README.md"


def embedded_reference(readme: Path = README) -> str:
    """The reference block currently in the README (markers included)."""
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def update_readme(readme: Path = README) -> bool:
    """Rewrite the README's reference block; True when it changed."""
    text = readme.read_text()
    current = embedded_reference(readme)
    fresh = render()
    if current == fresh:
        return False
    readme.write_text(text.replace(current, fresh))
    return True
