"""Imports point down the floors of ARCHITECTURE.md, never up."""

import ast
from pathlib import Path

import pytest

from tests import rules

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


# Import circles between our own files (tests/rules.py builds the graph with `ast`).
# Module-level imports run when a module is imported: a circle of them is a bug waiting for the
# wrong import order. Imports inside functions (and under `if TYPE_CHECKING:`) run later; they
# are allowed, but none of them may close a circle either: such an import would be there only to
# dodge one.


def our_modules() -> list[Path]:
    return [path for app in rules.APPS for path in sorted((ROOT / app).rglob("*.py")) if "migrations" not in path.parts]


def test_no_circle_of_module_level_imports():
    assert rules.cycles(rules.import_graph(ROOT, our_modules())) == []


def test_no_import_inside_a_function_closes_a_circle():
    assert rules.cycles(rules.import_graph(ROOT, our_modules()), with_deferred=True) == []


def test_the_graph_sees_our_imports():
    edges = {(e.source, e.target) for e in rules.import_graph(ROOT, our_modules())}

    assert ("dossiers.services", "dossiers.models") in edges
    assert ("dossiers.payments.receipts", "dossiers.documents.rendering") in edges


def plant(root: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(root.rglob("*.py"))


def test_the_check_finds_two_files_importing_each_other(tmp_path):
    files = plant(tmp_path, {"pay/__init__.py": "", "pay/a.py": "from pay import b\n", "pay/b.py": "import pay.a\n"})

    assert rules.cycles(rules.import_graph(tmp_path, files)) == [
        "pay.a (line 1) -> pay.b (line 1) -> pay.a  [component: pay.a, pay.b]"
    ]


def test_the_check_finds_a_circle_of_three_through_relative_imports(tmp_path):
    files = plant(
        tmp_path,
        {
            "app/__init__.py": "from .models import Thing\n",
            "app/models.py": "import os\n\nfrom app.sub.services import go\n",
            "app/sub/__init__.py": "",
            "app/sub/services.py": "from .. import selectors\n",
            "app/selectors.py": "class Q:\n    from .models import Thing\n",
        },
    )

    assert rules.cycles(rules.import_graph(tmp_path, files)) == [
        "app.models (line 3) -> app.sub.services (line 1) -> app.selectors (line 2) -> app.models"
        "  [component: app.models, app.selectors, app.sub.services]"
    ]


def test_an_import_inside_a_function_closes_a_circle_only_when_counted(tmp_path):
    files = plant(
        tmp_path,
        {
            "a.py": "import b\n",
            "b.py": "def late():\n    from a import thing\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nimport b\n",
        },
    )
    edges = rules.import_graph(tmp_path, files)

    assert rules.cycles(edges) == []
    assert rules.cycles(edges, with_deferred=True) == [
        "a (line 1) -> b (line 2, in a function) -> a  [component: a, b]"
    ]
    assert [e.deferred for e in edges if e.source == "c"] == [True, False]


def test_every_app_of_ours_is_a_package_the_install_ships():
    # `pip install -e .` (make, the image) maps only the packages pyproject.toml lists: an app left
    # out imports in the test run (the checkout is on sys.path) and fails in gunicorn started
    # elsewhere ("No module named 'console'", found by the Redis-down drill).
    import tomllib

    from django.conf import settings

    root = Path(__file__).resolve().parent.parent
    listed = {
        p.rstrip("*")
        for p in tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
            "include"
        ]
    }
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (root / app.split(".")[0]).is_dir()}

    assert ours - listed == set()
