"""Checkers for rules of the code base, read from the source with `ast` (not from lines).

`offending` finds writes of a dossier's status, step or due date outside the lifecycle service;
`import_graph` and `cycles` find circles of imports between the project's own files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package with our Python in it, except tests and bench (tools, not the product):
# found on disk, so a new app is checked the day it is added.
APPS = tuple(
    sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in {"tests", "bench"})
)

# ---------------------------------------------------------------------------------------------
# Single writer: Dossier.status, step_key, step_role and due_at are written by dossiers/services.py
# ---------------------------------------------------------------------------------------------

FIELDS = frozenset({"status", "step_key", "step_role", "due_at"})
THE_WRITER = "dossiers/services.py"
# The stand-in national portal is a separate server with its own models (its Payment has a status).
NOT_OURS = ("emc_sync/mock_portal/",)

# Writes of another model's own field of the same name: (file, function, receiver as written).
# An entry covers that receiver only (`payment.status = ...`, `payment.save(update_fields=[...])`),
# never `payment.dossier.status`. Kept small; an entry no longer needed fails a test.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("dossiers/payments/services.py", "payment_confirm", "payment"): (
        "Payment.status (pending/paid/cancelled) is the payment's own field, set on the platform's verified word"
    ),
}

# Queryset methods whose keyword arguments (or `defaults`/`create_defaults`) set fields.
SETTING_CALLS = frozenset({"update", "create", "get_or_create", "update_or_create"})
DEFAULTS = ("defaults", "create_defaults")
# `UPDATE dossiers_dossier SET ... status = ...`; the table may be quoted, schema-qualified, or an
# f-string placeholder naming the Dossier model (`{Dossier._meta.db_table}`).
_SQL_UPDATE = re.compile(
    r"\bUPDATE\s+(?:ONLY\s+)?(?:[\"`]?\w+[\"`]?\.)?[\"`]?"
    r"(?:dossiers_dossier|\{[^{}]*\bDossier\._meta\.db_table[^{}]*\})[\"`]?(?!\w)"
    r"(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_SQL_SET_FIELD = re.compile(
    r"\bSET\b(?P<clause>.*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|$)",
    re.IGNORECASE | re.DOTALL,
)
_SQL_COLUMN = re.compile(r"(?<![\w.])(?:\w+\.)?[\"`]?(status|step_key|step_role|due_at)[\"`]?\s*=(?!=)", re.IGNORECASE)


def _string_names(node: ast.AST | None) -> set[str] | None:
    """The strings of a literal list/tuple/set of field names; None when not a literal."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return None


def _dict_keys(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return set()


def _set_keywords(call: ast.Call) -> set[str]:
    """Field names set by a call's keywords: `status=...`, `**{"status": ...}`, `defaults={"status": ...}`."""
    names: set[str] = set()
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg in DEFAULTS:
            names |= _dict_keys(keyword.value)
        else:
            names.add(keyword.arg)
    return names & FIELDS


def _root_model(expr: ast.AST) -> str | None:
    """`Payment` for `Payment.objects.select_for_update().filter(...)`; None when of unknown origin.

    Walking in from the method, a step through a dossier (`payment.dossier.events`,
    `agency.dossiers`) makes it the dossier's, whatever model the chain starts from.
    """
    while True:
        if isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Attribute):
            if "dossier" in expr.attr.lower():
                return "Dossier"
            if expr.attr in {"objects", "_default_manager", "_base_manager"} and isinstance(expr.value, ast.Name):
                return expr.value.id
            expr = expr.value
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Name) and "dossier" in expr.id.lower():
            return "Dossier"
        else:
            return None


def _is_other_model(receiver: ast.AST) -> bool:
    """The receiver is provably another model's queryset (`Payment.objects...`), not a dossier's."""
    model = _root_model(receiver)
    return model is not None and model != "Dossier"


def _sql_text(node: ast.AST) -> str | None:
    """The text of a string literal, an f-string (placeholders kept as `{source}`) or a `+` of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + ast.unparse(value.value) + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sql_text(node.left), _sql_text(node.right)
        if left is not None or right is not None:
            return (left or "{}") + (right or "{}")
    return None


def sql_sets_dossier_fields(text: str) -> set[str]:
    """Columns among FIELDS that an `UPDATE dossiers_dossier SET ...` statement in `text` sets."""
    found: set[str] = set()
    for update in _SQL_UPDATE.finditer(text):
        clause = _SQL_SET_FIELD.search(update.group("rest"))
        if clause:
            found |= {m.group(1).lower() for m in _SQL_COLUMN.finditer(clause.group("clause"))}
    return found


@dataclass
class _Writes(ast.NodeVisitor):
    relative: str
    found: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, function, receiver, what
    scope: list[str] = field(default_factory=list)

    @property
    def function(self) -> str:
        return ".".join(self.scope) or "<module>"

    def report(self, node: ast.AST, receiver: ast.AST | None, what: str) -> None:
        self.found.append((node.lineno, self.function, ast.unparse(receiver) if receiver else "", what))  # type: ignore[attr-defined]

    # Scopes, for the allow-list.
    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    # `x.status = ...`, `a.due_at, b = ...`, `x.step_key += ...`, `x.status: int = ...`
    def _targets(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and target.attr in FIELDS:
            self.report(node, target.value, f"{ast.unparse(target)} assigned")
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._targets(element, node)
        elif isinstance(target, ast.Starred):
            self._targets(target.value, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._targets(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target, node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # setattr(x, "status", ...)
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value in FIELDS:
                self.report(node, node.args[0], f"setattr(..., {name.value!r})")
        # Dossier(status=...)
        elif isinstance(func, ast.Name) and func.id == "Dossier" and (names := _set_keywords(node)):
            self.report(node, func, f"Dossier({', '.join(sorted(names))}=...)")
        elif isinstance(func, ast.Attribute):
            receiver, method = func.value, func.attr
            if method in SETTING_CALLS and (names := _set_keywords(node)) and not _is_other_model(receiver):
                self.report(node, receiver, f".{method}({', '.join(sorted(names))})")
            elif method == "bulk_update" and not _is_other_model(receiver):
                fields = (
                    node.args[1]
                    if len(node.args) > 1
                    else next((k.value for k in node.keywords if k.arg == "fields"), None)
                )
                if names := (_string_names(fields) or set()) & FIELDS:
                    self.report(node, receiver, f".bulk_update([{', '.join(sorted(names))}])")
            elif method == "save":
                fields = next((k.value for k in node.keywords if k.arg == "update_fields"), None)
                if names := (_string_names(fields) or set()) & FIELDS:
                    self.report(node, receiver, f".save(update_fields=[{', '.join(sorted(names))}])")
        self.generic_visit(node)

    # Raw SQL in any string literal.
    def _sql(self, node: ast.AST) -> None:
        text = _sql_text(node)
        if text is None:
            self.generic_visit(node)
        elif columns := sql_sets_dossier_fields(text):
            self.report(node, None, f"raw SQL sets dossiers_dossier.{{{', '.join(sorted(columns))}}}")

    visit_Constant = visit_JoinedStr = _sql

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if _sql_text(node) is None:
            self.generic_visit(node)
        else:
            self._sql(node)


def writes(source: str, relative: str = "<source>") -> list[tuple[int, str, str, str]]:
    """Every write of FIELDS in `source`, allowed or not: (line, function, receiver, what)."""
    visitor = _Writes(relative)
    visitor.visit(ast.parse(source))
    return sorted(visitor.found)


def offending(path_or_source: Path | str, relative: str | None = None) -> list[str]:
    """`file:line: function: what` for each write of a dossier's status, step or due date not allowed.

    A Path is read (and named relative to the project); a str is the source itself, named `relative`.
    """
    if isinstance(path_or_source, Path):
        relative = relative or _relative(path_or_source)
        source = path_or_source.read_text(encoding="utf-8")
    else:
        source, relative = path_or_source, relative or "<source>"
    if relative == THE_WRITER:
        return []
    return [
        f"{relative}:{line}: {function}: {what}"
        for line, function, receiver, what in writes(source, relative)
        if (relative, function, receiver) not in ALLOWED
    ]


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def project_files(root: Path = ROOT) -> Iterator[Path]:
    """Our .py files: the apps', without migrations and the stand-in portal."""
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "migrations" not in path.parts and not relative.startswith(NOT_OURS):
                yield path


# ---------------------------------------------------------------------------------------------
# Import circles between our own files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module
    line: int
    deferred: bool  # inside a function (or under `if TYPE_CHECKING:`): not run when the module is imported


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import statement with whether it is deferred (in a function, or for the type checker only)."""

    def walk(node: ast.AST, deferred: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, deferred
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(child, True)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), True)
                for statement in child.orelse:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), deferred)
            else:
                yield from walk(child, deferred)

    yield from walk(tree, False)


def import_graph(root: Path, files: list[Path]) -> list[Edge]:
    """Edges between the modules of `files` (relative to `root`, where the top-level packages are).

    `import a.b` points at `a.b`; `from a import b` at `a.b` when that is a module, else at `a`;
    relative imports are resolved against the importing module's package. A package is its
    `__init__.py`. An edge goes to the module named, not to the packages above it.
    """
    modules = {module_name(path, root): path for path in files}
    edges: list[Edge] = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, deferred in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = package.split(".") if package else []
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                    base = ".".join([*base_parts, *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                for alias in node.names:
                    submodule = f"{base}.{alias.name}" if base else alias.name
                    targets.append(submodule if submodule in modules else base)
            for target in targets:
                # `import a.b.c` of a missing a.b.c: the deepest module of ours that exists.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.append(Edge(name, target, node.lineno, deferred))
    return edges


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), of more than one module each."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return sorted(components)


def _a_cycle(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """One concrete circle through the component's first module (breadth-first, shortest)."""
    members, start = set(component), component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges.get(node, ()) & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return component


def cycles(edges: list[Edge], *, with_deferred: bool = False) -> list[str]:
    """Each circle of imports as `a (a.py:3) -> b (b.py:7) -> a`; deferred imports only if asked."""
    kept = [e for e in edges if with_deferred or not e.deferred]
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Edge] = {}
    for edge in kept:
        graph.setdefault(edge.source, set()).add(edge.target)
        where.setdefault((edge.source, edge.target), edge)
    nodes = {e.source for e in kept} | {e.target for e in kept}
    found = []
    for component in strongly_connected(nodes, graph):
        circle = _a_cycle(component, graph)
        steps = []
        for source, target in zip(circle, circle[1:], strict=False):
            edge = where[(source, target)]
            steps.append(f"{source} (line {edge.line}{', in a function' if edge.deferred else ''})")
        found.append(" -> ".join([*steps, circle[-1]]) + f"  [component: {', '.join(component)}]")
    return found
