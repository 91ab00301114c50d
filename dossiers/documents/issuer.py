"""Who issues a paper, as Decree 30/2020/NĐ-CP (Annex I) wants it printed: pure rules on names.

- The issuer's name is written in full; only the parent body's name may be abbreviated
  (`full_name` expands "UBND" and "HĐND" in the issuer's own name).
- A People's Committee is the State at its level: it has no parent line (`issuer_lines`).
- The place name (địa danh) of the date line is the administrative unit where the issuer sits:
  "Hoa Lư" for a ward of Hoa Lư, "Ninh Bình" for a department of the province
  (`place_name`: the unit named in the issuer's name, else in its parents', else the default).
- The head who signs a letter: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" for a People's Committee
  (a collective body), "GIÁM ĐỐC" for a department (sở), else "THỦ TRƯỞNG CƠ QUAN".
"""

import re
from collections.abc import Sequence

ABBREVIATIONS = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân"}
_ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b", re.IGNORECASE)
_PEOPLES_COMMITTEE = re.compile(r"^(ủy|uỷ) ban nhân dân\b", re.IGNORECASE)
# Administrative units of the two-tier local government (since 1 July 2025), longest first.
_UNIT = re.compile(r"\b(thành phố|đặc khu|phường|tỉnh|xã)\s+(?=\w)", re.IGNORECASE)


def full_name(name: str) -> str:
    """ "UBND phường Hoa Lư" → "Ủy ban nhân dân phường Hoa Lư"; other names unchanged (trimmed)."""
    return _ABBREVIATION.sub(lambda match: ABBREVIATIONS[match.group(1).upper()], " ".join(name.split()))


def is_peoples_committee(name: str) -> bool:
    return bool(_PEOPLES_COMMITTEE.match(full_name(name)))


def issuer_lines(name: str, parent_names: Sequence[str] = ()) -> tuple[str, str]:
    """(parent line or "", issuer line), upper case: the nearest parent, unless the issuer is a
    People's Committee or has none."""
    own = full_name(name).upper()
    if is_peoples_committee(name) or not parent_names:
        return "", own
    return " ".join(parent_names[0].split()).upper(), own


def unit_place(name: str) -> str:
    """The place named by an administrative unit in `name`: "… phường Hoa Lư" → "Hoa Lư"; "" if none."""
    text = full_name(name)
    # The last unit word followed by a capitalised name ("Văn hóa - Xã hội phường Hoa Lư" → "Hoa Lư").
    for match in reversed(list(_UNIT.finditer(text))):
        rest = text[match.end() :].strip(" ,;.")
        if rest[:1].isupper():
            return rest
    return ""


def place_name(name: str, parent_names: Sequence[str] = (), default: str = "") -> str:
    """The địa danh of the issuer: its own unit, else its nearest parent's, else `default`."""
    for candidate in (name, *parent_names):
        place = unit_place(candidate)
        if place:
            return place
    return default


def head_title_lines(name: str) -> list[str]:
    """How the head signs for the body (thẩm quyền ký), one line each."""
    if is_peoples_committee(name):
        return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    if re.match(r"^sở\b", full_name(name), re.IGNORECASE):
        return ["GIÁM ĐỐC"]
    return ["THỦ TRƯỞNG CƠ QUAN"]
