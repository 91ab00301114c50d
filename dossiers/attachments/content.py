"""What a file really is, decided from its first bytes, and what it may be called.

A small hand-written table instead of a library: five formats, each recognised by a fixed
signature (and, for the OOXML pair, by the zip's central directory), is less code to trust
than a dependency. python-magic needs libmagic and knows hundreds of formats we refuse
anyway; `filetype` does not tell a .docx from any other zip.
"""

import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    key: str  # as written in DossierComponent.allowed_types
    label: str | Promise
    content_type: str
    extensions: tuple[str, ...]  # the first is the one we add when a name has none
    inline: bool  # browsers preview it safely (served inline), otherwise downloaded


KINDS: dict[str, FileKind] = {
    kind.key: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", (".pdf",), inline=True),
        FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe"), inline=True),
        FileKind("png", "PNG", "image/png", (".png",), inline=True),
        FileKind(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            inline=False,
        ),
        FileKind(
            "xlsx",
            "Excel (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            inline=False,
        ),
    )
}
KIND_BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS.values()}
DEFAULT_TYPES = ("pdf", "jpeg", "png")
# Recognised only to refuse it with a useful message: iPhones save photos as HEIC.
HEIC = "heic"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

HEAD_SIZE = 64


def allowed_kinds(allowed_types: str | None) -> list[FileKind]:
    """The kinds a component accepts ("pdf,jpeg,png"); unknown words are ignored, none means the default."""
    keys = [word.strip().lower() for word in (allowed_types or "").split(",")]
    keys = ["jpeg" if key == "jpg" else key for key in keys]
    kinds = [KINDS[key] for key in dict.fromkeys(keys) if key in KINDS]
    return kinds or [KINDS[key] for key in DEFAULT_TYPES]


def kinds_text(kinds: Iterable[FileKind]) -> str:
    """ "PDF, JPEG hoặc PNG"."""
    labels = [str(kind.label) for kind in kinds]
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {_('hoặc')} {labels[-1]}"


def detect_kind(head: bytes, file: IO[bytes] | None = None) -> str | None:
    """The kind key of a file from its first bytes (`head`, at least 12); None when unknown.

    Zip files need `file` (seekable): only their central directory is read, never inflated,
    so a zip bomb costs nothing here.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04") and file is not None:
        return _office_kind(file)
    return None


def _office_kind(file: IO[bytes]) -> str | None:
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(position)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return None


NAME_MAX = 150
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
FALLBACK_NAME = "tep-dinh-kem"


def sanitise_name(name: str, *, kind: FileKind | None = None) -> str:
    """The citizen's file name made safe to store and show: no folders, no control or
    reserved characters, no leading dots, at most NAME_MAX characters; Vietnamese letters kept
    (NFC). With `kind`, the extension is made to match the content ("scan" → "scan.pdf").
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # control, format, private
    name = _FORBIDDEN.sub("", name)
    name = " ".join(name.split()).strip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = f".{extension}" if extension else ""
    if kind is not None and extension.lower() not in kind.extensions:
        # A known extension of another kind is replaced; anything else is kept as part of the name.
        other = any(extension.lower() in k.extensions for k in KINDS.values())
        stem = stem if other or not extension else stem + extension
        extension = kind.extensions[0]
    if len(extension) > 10:
        stem, extension = stem + extension, ""
    stem = stem.strip(". ")[: NAME_MAX - len(extension)].rstrip(". ") or FALLBACK_NAME
    return stem + extension


def size_text(size: int) -> str:
    """Bytes as Vietnamese readers write them, rounded up to 0.1 MB: "11,2 MB", "350 KB"."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    tenths = -(-size * 10 // (1024 * 1024))
    whole, tenth = divmod(tenths, 10)
    return f"{whole} MB" if tenth == 0 else f"{whole},{tenth} MB"
