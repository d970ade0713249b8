"""Issue 10: the complaints app's modules import one way. The reads (selectors, and the modules they
stand on) never import the actions, so the old selectors ↔ services cycle cannot come back; the
split services module stays gone. Read from the source (ast), so the test needs no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
REPO = APP.parents[1]


def imported(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved, at any depth (inside functions too);
    for `from m import n` both `m` and `m.n` (n may be a submodule)."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    package = parts if parts[-1] == "__init__" else parts[:-1]
    package = [p for p in package if p != "__init__"]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("name", ["selectors", "permissions", "codes", "clocks", "models", "choices"])
def test_reads_do_not_import_the_actions(name):
    mods = imported(APP / f"{name}.py")
    assert not {m for m in mods if m.startswith("xiaoneng.complaints.actions")}, name


def test_selectors_do_not_import_permissions():
    # permissions reads selectors (access_complaint_by_id uses complaints_for): not the other way round
    assert "xiaoneng.complaints.permissions" not in imported(APP / "selectors.py")


def test_nothing_imports_the_removed_services_module():
    assert not (APP / "services.py").exists()
    offenders = [
        str(p.relative_to(REPO))
        for root in ("xiaoneng", "bench", "tests")
        for p in (REPO / root).rglob("*.py")
        if "xiaoneng.complaints.services" in imported(p)
    ]
    assert offenders == []


def test_the_api_does_not_import_the_pages():
    # the tracking API and the tracking page share public_due through selectors, not views
    assert not {m for m in imported(APP / "api.py") if m.startswith("xiaoneng.complaints.views")}
