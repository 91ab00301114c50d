"""Regular expressions written by admins: refused when they could hang the server."""

import re

from django.utils.translation import gettext as _

from .constants import MAX_PATTERN_UNBOUNDED, MAX_PATTERN_VARIABLE


def pattern_problems(pattern: str) -> list[str]:
    """Why an admin's regular expression is refused.

    Python's `re` backtracks: a repeated group that itself repeats or alternates ((a+)+,
    (a|aa)*) takes exponential time, and many repetitions in a row polynomial time. So a
    pattern may not nest repetitions and may hold at most MAX_PATTERN_UNBOUNDED unbounded and
    MAX_PATTERN_VARIABLE variable repetitions; the value it is matched against is at most
    MAX_PATTERN_INPUT characters. Together these keep one match under a few milliseconds.
    """
    try:
        re.compile(pattern)
    except re.error as exc:
        return [_("mẫu kiểm tra không hợp lệ ở vị trí %(pos)s (%(reason)s)") % {"pos": exc.pos, "reason": exc.msg}]
    risk = _pattern_risk(pattern)
    if risk == "nested":
        return [
            _(
                "mẫu kiểm tra có nhóm lặp lồng nhau (ví dụ (a+)+ hoặc (a|b)*), có thể làm treo hệ thống; "
                "hãy viết đơn giản hơn"
            )
        ]
    if risk == "too_many":
        return [
            _("mẫu kiểm tra có quá nhiều phần lặp (tối đa %(unbounded)s phần lặp không giới hạn như + hoặc *)")
            % {"unbounded": MAX_PATTERN_UNBOUNDED}
        ]
    return []


_QUANTIFIER_BRACES = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _pattern_risk(pattern: str) -> str | None:
    """ "nested", "too_many" or None, from one pass over the pattern's text."""
    groups: list[bool] = []  # per open group: does it hold a repetition or an alternation?
    closed_risky = False  # the group just closed holds one (so a repetition may not follow)
    after_quantifier = False  # a following ?, + is a lazy / possessive mark, not a repetition
    unbounded = variable = 0
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            closed_risky = after_quantifier = False
            position += 2
            continue
        if char == "[":  # a character class is one atom: skip to its end
            end = position + 1
            end += 1 if pattern[end : end + 1] == "^" else 0
            end += 1 if pattern[end : end + 1] == "]" else 0
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            closed_risky = after_quantifier = False
            position = end + 1
            continue
        width, kind = 1, ""
        if char in "*+":
            kind = "unbounded"
        elif char == "?" and pattern[position - 1 : position] != "(":
            kind = "optional"
        elif char == "{" and (braces := _QUANTIFIER_BRACES.match(pattern, position)):
            width = len(braces[0])
            low, comma, high = braces.groups()
            kind = "unbounded" if comma and not high else "variable" if comma and high != low else "fixed"
        if kind:
            if after_quantifier and char in "*+?":
                after_quantifier = False
                position += 1
                continue
            if kind in ("unbounded", "variable") and closed_risky:
                return "nested"
            unbounded += kind == "unbounded"
            variable += kind != "fixed"
            if groups and kind != "fixed":
                groups[-1] = True
            closed_risky, after_quantifier = False, True
            position += width
            continue
        after_quantifier = False
        closed_risky = False
        if char == "(":
            groups.append(False)
        elif char == ")":
            risky = groups.pop() if groups else False
            if groups and risky:
                groups[-1] = True
            closed_risky = risky
        elif char == "|" and groups:
            groups[-1] = True
        position += 1
    if unbounded > MAX_PATTERN_UNBOUNDED or variable > MAX_PATTERN_VARIABLE:
        return "too_many"
    return None
