"""Vietnamese text normalisation for search.

People type "dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÍ KHAI SINH" or paste NFD text
from a PDF: all must meet the same index entry. The rules, applied to both the stored
text and the query, so the two databases (PostgreSQL in production, SQLite in the embedded
default) compare the same strings:

- NFC first, then strip combining marks (NFD decomposition), lower-case;
- `đ` is a letter of its own that NFD leaves intact, so it is mapped to `d` explicitly;
- `y` and `i` are folded together ("kí"/"ký" are both in use);
- anything that is not a letter or digit becomes a space, except the dots of a national
  procedure code (`1.001193`), and runs of spaces collapse.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z.]+")
_LONE_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
_CODE = re.compile(r"^\d\.\d{6}$")
_CODE_IN_TEXT = re.compile(r"(?<![\d.])\d\.\d{6}(?![\d])")


def to_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Lower-case ASCII folding: "Đăng ký" -> "dang ky" (i/y not folded)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return without_marks.replace("đ", "d")


def normalize_search_text(text: str) -> str:
    folded = strip_diacritics(to_nfc(text)).replace("y", "i")
    folded = _NON_WORD.sub(" ", folded)
    folded = _LONE_DOTS.sub(" ", folded)
    return " ".join(folded.split())


def looks_like_procedure_code(text: str) -> bool:
    return bool(_CODE.match(text.strip()))


def procedure_codes_in(text: str) -> list[str]:
    """National procedure codes written anywhere in the text ("thủ tục 1.001193" -> ["1.001193"])."""
    return _CODE_IN_TEXT.findall(text)


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_ORDER = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tone marks are secondary: they break ties only (ngang, huyền, hỏi, ngã, sắc, nặng).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_QUALITY = {"\u0306": "ă", "\u0302": "^", "\u031b": "ơ"}


def vietnamese_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key following the Vietnamese alphabet (a ă â b c d đ e ê ...), tones second."""
    letters: list[int] = []
    tones: list[int] = []
    for char in to_nfc(text).lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        quality = [m for m in marks if m in _QUALITY]
        if quality:
            mark = quality[0]
            base = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
                    ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}.get((base, mark), base)  # fmt: skip
        letters.append(_ORDER.get(base, 100 + ord(base)))
        tones.append(tone)
    return tuple(letters), tuple(tones)
