"""Architecture rules that a test can hold: layering, packaging, start-up imports."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "gpdesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_core_never_imports_qtwidgets_or_ui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("ui", "tools", "cli"):
            continue  # the entry point and the tools sit above the UI
        for name in _imports(path):
            if name.startswith(("PySide6.QtWidgets", "PySide6.QtGui", "gpdesk.ui")):
                offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_models_import_nothing_above_them() -> None:
    for path in (PACKAGE / "models").glob("*.py"):
        for name in _imports(path):
            if name.startswith("gpdesk."):
                assert name.startswith(("gpdesk.models", "gpdesk.roles")), f"{path.name}: {name}"


def _resource_packages() -> set[str]:
    """Every folder of resources/: setuptools treats each as a package of gpdesk.resources."""
    root = REPO / "resources"
    folders = [root, *(d for d in root.rglob("*") if d.is_dir() and d.name != "__pycache__")]
    return {".".join(("gpdesk.resources", *d.relative_to(root).parts)) for d in folders}


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(("gpdesk", *p.parent.relative_to(PACKAGE).parts))
        for p in PACKAGE.rglob("__init__.py")
    }
    assert on_disk | _resource_packages() == listed


def test_every_resource_folder_ships_its_files() -> None:
    """A resource folder without package data would install empty (no demo kaart, no icons)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    assert {name: package_data.get(name) for name in _resource_packages()} == {
        name: ["*"] for name in _resource_packages()
    }


def test_starting_up_does_not_load_the_database_layer() -> None:
    """The login window must not wait for SQLAlchemy (see benchmarks/startup.py)."""
    code = (
        "import sys, gpdesk.cli, gpdesk.handover, gpdesk.ui.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.strip() == "[]"
