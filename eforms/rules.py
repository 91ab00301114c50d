"""The one rule engine of e-forms: when a field or a step is shown, and cross-field checks.

Pure functions over the conditions of a form (JSON, see eforms/schemas/form.schema.json):

    {"field": "loai_giay_to", "op": "equals", "value": "cccd"}
    {"field": "ngay_sinh", "op": "lt", "other_field": "ngay_dang_ky"}
    {"all": [<condition>, ...]}      {"any": [<condition>, ...]}

Operators: equals, not_equals, in (value is a list), gt, gte, lt, lte (numbers and dates;
a date may be compared with "today"), filled, empty. A checkboxes field holds a list:
`equals X` means X is ticked, `in [X, Y]` that one of them is.

A condition is evaluated against clean values (what eforms.validation produced: numbers,
ISO dates, option values); a field that is hidden or has no valid value is simply absent.
Conditions are compiled once per form version into closures, so evaluating the rules of a
200-field form costs microseconds. The server evaluates them on every submitted step and
never trusts what the browser decided.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from .constants import KIND_BOOL, KIND_DATE, KIND_MULTI, KIND_NUMBER, KIND_TEXT

Condition = Mapping[str, Any]
Values = Mapping[str, Any]
Predicate = Callable[[Values], bool]

OPERATORS = ("equals", "not_equals", "in", "gt", "gte", "lt", "lte", "filled", "empty")
PRESENCE_OPERATORS = frozenset({"filled", "empty"})
ORDER_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
TODAY = "today"


def is_empty(value: Any) -> bool:
    """No answer: None, blank text, an empty list or mapping. False and 0 are answers."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not value
    return False


def leaves(condition: Condition) -> Iterator[Condition]:
    """The leaf conditions ({field, op, ...}) of a condition, in document order."""
    stack = [condition]
    while stack:
        node = stack.pop()
        children = node.get("all", node.get("any"))
        if isinstance(children, list):
            stack.extend(reversed(children))
        else:
            yield node


def referenced_fields(condition: Condition) -> list[str]:
    """Keys of the fields a condition reads (`field` and `other_field`), first mention first."""
    keys: dict[str, None] = {}
    for leaf in leaves(condition):
        for name in ("field", "other_field"):
            if isinstance(leaf.get(name), str):
                keys.setdefault(leaf[name], None)
    return list(keys)


def depth(condition: Condition) -> int:
    """1 for a leaf; each all/any around it adds one level."""
    deepest = 0
    stack: list[tuple[Condition, int]] = [(condition, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        children = node.get("all", node.get("any"))
        if isinstance(children, list):
            stack.extend((child, level + 1) for child in children if isinstance(child, Mapping))
    return deepest


def coerce(kind: str, value: Any) -> Any:
    """A clean value (or a rule's literal) as the comparable Python value of its kind; None if it is not one."""
    if value is None:
        return None
    if kind == KIND_NUMBER:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | Decimal):
            return value
        if isinstance(value, float | str):
            try:
                return Decimal(str(value))
            except InvalidOperation:
                return None
        return None
    if kind == KIND_DATE:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return None
    if kind == KIND_BOOL:
        return value if isinstance(value, bool) else None
    if kind == KIND_MULTI:
        if isinstance(value, str):
            return [value]
        return list(value) if isinstance(value, list | tuple) else None
    if kind == KIND_TEXT:
        return value if isinstance(value, str) else str(value) if isinstance(value, int) else None
    return value


def _equals(left: Any, right: Any, kind: str) -> bool:
    return right in left if kind == KIND_MULTI else bool(left == right)


def _compare(op: str, left: Any, right: Any, kind: str) -> bool:
    if op == "equals":
        return _equals(left, right, kind)
    if op == "not_equals":
        return not _equals(left, right, kind)
    if op == "in":
        return any(_equals(left, item, kind) for item in right)
    try:
        if op == "gt":
            return bool(left > right)
        if op == "gte":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        if op == "lte":
            return bool(left <= right)
    except TypeError:  # e.g. a number compared with a date: the schema refuses it, be safe anyway
        return False
    raise ValueError(op)


def compile_condition(
    condition: Condition,
    kinds: Mapping[str, str],
    *,
    vacuous: bool = False,
    today: Callable[[], date] = timezone.localdate,
) -> Predicate:
    """A predicate over clean values. `kinds` maps each field key to its kind (constants.FIELD_KINDS).

    With `vacuous`, a comparison whose operand is missing holds (used for cross-field checks:
    nothing to compare yet, so nothing to complain about; `filled` still works, so a check can
    require a field). Without it, such a comparison is false, except `not_equals`.
    The condition must have passed eforms.schema.validate_schema.
    """
    children = condition.get("all", condition.get("any"))
    if isinstance(children, list):
        parts = [compile_condition(c, kinds, vacuous=vacuous, today=today) for c in children]
        if "all" in condition:
            return lambda values: all(part(values) for part in parts)
        return lambda values: any(part(values) for part in parts)
    return _compile_leaf(condition, kinds, vacuous=vacuous, today=today)


def _compile_leaf(
    condition: Condition, kinds: Mapping[str, str], *, vacuous: bool, today: Callable[[], date]
) -> Predicate:
    key: str = condition["field"]
    op: str = condition["op"]
    kind = kinds.get(key, "")
    if op == "filled":
        return lambda values: not is_empty(values.get(key))
    if op == "empty":
        return lambda values: is_empty(values.get(key))
    missing_result = vacuous or op == "not_equals"
    literal_kind = KIND_TEXT if kind == KIND_MULTI else kind  # a checkboxes rule names one option value
    right: Callable[[Values], Any]
    if "other_field" in condition:
        other: str = condition["other_field"]
        right = lambda values: coerce(kind, values.get(other))  # noqa: E731
    elif op == "in":
        items = tuple(
            today if item == TODAY and kind == KIND_DATE else coerce(kind, item) for item in condition["value"]
        )
        right = lambda values: tuple(item() if callable(item) else item for item in items)  # noqa: E731
    elif condition.get("value") == TODAY and kind == KIND_DATE:
        right = lambda values: today()  # noqa: E731
    else:
        literal = coerce(literal_kind, condition.get("value"))
        right = lambda values: literal  # noqa: E731

    def leaf(values: Values) -> bool:
        left = coerce(kind, values.get(key))
        if is_empty(left):
            return missing_result
        operand = right(values)
        if operand is None:
            return missing_result
        return _compare(op, left, operand, kind)

    return leaf


def evaluate(condition: Condition, values: Values, kinds: Mapping[str, str]) -> bool:
    """One-off evaluation (tests, previews); forms use compiled predicates."""
    return compile_condition(condition, kinds)(values)


def find_cycles(dependencies: Mapping[str, Sequence[str]], *, limit: int = 10) -> list[list[str]]:
    """Cycles in a "node depends on nodes" graph, each as [a, b, ..., a], each set of nodes once.

    Iterative depth-first search, so a long chain cannot exhaust the interpreter's stack.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(dependencies, white)
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in dependencies:
        if colour[root] != white:
            continue
        path: list[str] = [root]
        iterators: list[Iterator[str]] = [iter(dependencies[root])]
        colour[root] = grey
        while iterators:
            nxt = next(iterators[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                iterators.pop()
                continue
            state = colour.get(nxt)
            if state is None:  # points outside the graph: reported elsewhere
                continue
            if state == grey:
                cycle = [*path[path.index(nxt) :], nxt]
                members = frozenset(cycle)
                if members not in seen:
                    seen.add(members)
                    cycles.append(cycle)
                    if len(cycles) >= limit:
                        return cycles
            elif state == white:
                colour[nxt] = grey
                path.append(nxt)
                iterators.append(iter(dependencies[nxt]))
    return cycles


def rotate_cycle(cycle: list[str], order: Iterable[str]) -> list[str]:
    """The same cycle starting at its node that comes first in `order` (document order), for stable messages."""
    rank = {node: index for index, node in enumerate(order)}
    ring = cycle[:-1]
    start = min(range(len(ring)), key=lambda i: rank.get(ring[i], len(rank)))
    rotated = ring[start:] + ring[:start]
    return [*rotated, rotated[0]]
