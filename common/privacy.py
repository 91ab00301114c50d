"""How a citizen id number (số định danh cá nhân, 12 digits) appears anywhere but its owner's
own pages and an officer's dossier page (Decree 13/2023): lists, logs, error reports.

One shape everywhere: 037090001234 -> 0370******34. The first four digits (province and century)
tell two people apart; the last four are what the public lookup asks for, so never all shown.
"""

import re

# 12 digits not inside a longer run of digits (letters around it do not protect it).
CITIZEN_ID_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")


def mask_id_number(value: str | None) -> str:
    """037090001234 -> 0370******34. Anything that is not a 12-digit number (a passport number,
    an old 9-digit id) keeps only its first two and last two characters."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) == 12 and text.isdigit():
        return text[:4] + "*" * 6 + text[-2:]
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def mask_citizen_ids(text: str) -> str:
    """Every 12-digit number in `text` masked like `mask_id_number`."""
    return CITIZEN_ID_IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)
