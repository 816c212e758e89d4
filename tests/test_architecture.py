"""The layers show in the folders, and nothing breaks them (docs/decisions/0013-layers.md).

- ``lint-imports`` (import-linter, contracts in pyproject.toml): each floor imports only the
  floors below it, and the pure packages import no CDK. Imports under ``if TYPE_CHECKING:`` count.
- No import cycles between kickoff's modules, counted by grimp (the graph import-linter uses),
  type-checking imports included.
- No leaf (the two bottom floors) imports the config package, even for a type.
- No function-local import of a kickoff module, the usual way to hide a cycle. ``kickoff.cli``'s
  dispatcher loads a command's family module by name (importlib) when the command runs, so that
  ``validate`` answers in about a second without loading the CDK; nothing else defers an import.
- No module in kickoff/ is over 400 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

from tests.support import REPO_ROOT

PACKAGE = REPO_ROOT / "kickoff"
MAX_MODULE_LINES = 400


def _contracts() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("kickoff", exclude_type_checking_imports=False)


def test_import_contracts_are_kept() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_contracts_count_type_checking_imports() -> None:
    assert _contracts()["exclude_type_checking_imports"] is False


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_no_leaf_imports_the_config() -> None:
    """The two bottom floors (naming, the lock file, failover terms, web paths, images, paths, the cell layout)
    take primitives: an arrow from them to kickoff.config would run back up, type-checking imports included."""
    layers = next(c for c in _contracts()["contracts"] if c["type"] == "layers")["layers"]
    leaves = [m.strip() for floor in layers[-2:] for m in floor.split("|")]
    graph = _graph()
    found = [
        (leaf, imported)
        for leaf in leaves
        for module in (leaf, *graph.find_descendants(leaf))
        for imported in graph.find_modules_directly_imported_by(module)
        if imported == "kickoff.config" or imported.startswith("kickoff.config.")
    ]
    assert found == []


def test_no_module_is_over_400_lines() -> None:
    sizes = {str(p.relative_to(REPO_ROOT)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_local_imports_of_kickoff_modules() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(REPO_ROOT))
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.ImportFrom)
                    and (node.module or "").startswith("kickoff")
                    or (isinstance(node, ast.Import) and any(a.name.startswith("kickoff") for a in node.names))
                ):
                    found.append(f"{relative}:{node.lineno} in {function.name}()")
    assert found == [], "import at module level (or move the code to the floor it belongs on)"


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")]:
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [["a.x", "a.y", "a.z"]]
