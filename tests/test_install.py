"""What a fresh install needs is declared, bounded and pinned."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _declared() -> set[str]:
    return {_name(r) for r in _project()["dependencies"]}  # type: ignore[attr-defined]


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "geomap").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"geomap", "__future__"}


def test_every_imported_package_is_declared() -> None:
    owners = importlib.metadata.packages_distributions()
    missing = {
        module: owners.get(module)
        for module in _imported_modules()
        if not {_name(d) for d in owners.get(module, [module])} & _declared()
    }
    assert not missing, f"imported by geomap but not in pyproject's dependencies: {missing}"


def test_html_cleaner_that_trafilatura_needs_is_declared_and_importable() -> None:
    assert "lxml-html-clean" in _declared()
    import lxml.html.clean  # noqa: F401  # justext imports it for every HTML page


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    loose = [r for r in _project()["dependencies"] if "<" not in r and "airportsdata" not in r]  # type: ignore[attr-defined]
    assert not loose, f"dependencies without an upper bound: {loose}"


def test_constraints_pin_every_declared_dependency() -> None:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {_name(line) for line in lines if line and not line.startswith("#")}
    assert all("==" in line for line in lines if line and not line.startswith("#"))
    extras = _project()["optional-dependencies"]  # type: ignore[index]
    wanted = _declared() | {_name(r) for group in extras.values() for r in group}  # type: ignore[attr-defined]
    assert wanted <= pinned, f"declared but not pinned: {sorted(wanted - pinned)}"
