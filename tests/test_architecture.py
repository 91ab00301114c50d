"""Imports point down the floors of ARCHITECTURE.md, never up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {
    "procedures": 1,
    "accounts": 2,
    "eforms": 3,
    "workflows": 3,
    "dossiers": 4,
    "emc_sync": 5,
    "indicators": 5,
    "console": 5,
    "dvctt": 6,
}
# Same floor, yet must not import each other.
SIBLINGS_APART = {
    frozenset({"eforms", "workflows"}),
    frozenset({"emc_sync", "indicators"}),
    frozenset({"console", "emc_sync"}),
    frozenset({"console", "indicators"}),
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & FLOORS.keys()


def app_files():
    for app in FLOORS:
        folder = ROOT / app
        if folder.is_dir():
            for path in folder.rglob("*.py"):
                yield app, path


@pytest.mark.parametrize(("app", "path"), list(app_files()), ids=lambda v: str(v).replace(str(ROOT) + "/", ""))
def test_imports_point_down(app, path):
    if app == "dvctt" and path.name in {"__init__.py", "celery.py"}:
        return
    wrong = [
        other
        for other in imported_apps(path)
        if other != app and (FLOORS[other] > FLOORS[app] or frozenset({app, other}) in SIBLINGS_APART)
    ]
    assert wrong == [], f"{path.relative_to(ROOT)} (floor {FLOORS[app]}) imports {wrong}"


def test_the_check_catches_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from accounts.models import User\nimport dvctt.demo\n", encoding="utf-8")

    assert imported_apps(module) == {"accounts", "dvctt"}


def mock_portal_files():
    yield from (ROOT / "emc_sync" / "mock_portal").rglob("*.py")


@pytest.mark.parametrize("path", list(mock_portal_files()), ids=lambda v: str(v.relative_to(ROOT)))
def test_the_stand_in_portal_imports_nothing_of_ours(path):
    # Written on its own from DOMAIN.md, so that it catches our mistakes instead of sharing them.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    ours = {m for m in modules if m.split(".")[0] in {*FLOORS, "common", "bench", "tests"}}
    assert {m for m in ours if not m.startswith("emc_sync.mock_portal")} == set()
