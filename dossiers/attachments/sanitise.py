"""Citizens' files made safe before they are stored: officers open them on desk PCs.

- **Images** (JPEG, PNG, and HEIC from phones) are decoded with a pixel limit
  (UPLOAD_MAX_IMAGE_PIXELS: a 50,000 × 50,000 PNG is a few kilobytes and 7.5 GB once opened) and
  re-encoded by Pillow, so what is stored holds pixels only: no EXIF (camera, GPS position), no
  text chunks, nothing appended. HEIC is converted to JPEG (pillow-heif).
- **PDFs** are opened with pikepdf (qpdf): encrypted or broken files are refused; JavaScript,
  launch, form-submission and import actions, automatic actions (`/OpenAction`, `/AA`),
  embedded files and XFA are removed wherever they hang in the document, and the officer is
  told what was removed. A PDF with nothing to remove is stored byte for byte as it came.
- **A file that is also a web page** (HTML or script tags in the raw bytes: a PDF/HTML
  polyglot) is refused: a browser that sniffs it would run it.
- Office files (DOCX, XLSX) are kept as they are: they cannot hold macros (those are .docm).

The result is deterministic (the same upload twice gives the same bytes), so the double-click
guard, which compares hashes, still holds.
"""

import io
import re
from dataclasses import dataclass

import pikepdf
import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from ..exceptions import FileBroken, FileEncrypted, FileImageTooLarge, FileLooksLikeWebPage

pillow_heif.register_heif_opener()

_WEB_PAGE = re.compile(rb"<\s*(?:html|script|body|iframe|svg|object|embed)[\s>/]", re.IGNORECASE)

# PDF keys removed wherever they appear, with what the officer is told.
_PDF_KEYS = {
    "/JavaScript": gettext_lazy("mã JavaScript"),
    "/JS": gettext_lazy("mã JavaScript"),
    "/OpenAction": gettext_lazy("thao tác tự chạy khi mở tệp"),
    "/AA": gettext_lazy("thao tác tự chạy khi mở tệp"),
    "/EmbeddedFiles": gettext_lazy("tệp đính kèm bên trong"),
    "/EF": gettext_lazy("tệp đính kèm bên trong"),
    "/XFA": gettext_lazy("biểu mẫu XFA"),
    "/RichMedia": gettext_lazy("nội dung đa phương tiện"),
}
# Actions (`/S`) that run something or send something out; a link's plain /GoTo or /URI stays.
_PDF_ACTIONS = {
    "/JavaScript": gettext_lazy("mã JavaScript"),
    "/Launch": gettext_lazy("lệnh mở chương trình"),
    "/SubmitForm": gettext_lazy("lệnh gửi dữ liệu ra ngoài"),
    "/ImportData": gettext_lazy("lệnh nhập dữ liệu"),
    "/RichMediaExecute": gettext_lazy("nội dung đa phương tiện"),
}


@dataclass(frozen=True)
class Cleaned:
    """What to store: `data` (None: the upload as it came), its kind, and what was removed."""

    data: bytes | None
    kind_key: str
    removed: tuple[str, ...] = ()


def clean(*, content: bytes, kind_key: str, name: str) -> Cleaned:
    """The safe form of one upload of a known kind ("pdf", "jpeg", "png", "heic", "docx", "xlsx");
    raises a DomainError naming the file when it cannot be made safe."""
    if kind_key in ("pdf", "jpeg", "png") and _WEB_PAGE.search(content):
        raise FileLooksLikeWebPage(name=name)
    if kind_key == "pdf":
        return _clean_pdf(content, name)
    if kind_key in ("jpeg", "png", "heic"):
        return _clean_image(content, kind_key, name)
    return Cleaned(data=None, kind_key=kind_key)


def _clean_image(content: bytes, kind_key: str, name: str) -> Cleaned:
    limit = int(settings.UPLOAD_MAX_IMAGE_PIXELS)
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > limit:
                raise FileImageTooLarge(name=name, megapixels=_millions(width * height), limit=_millions(limit))
            had_metadata = bool(image.getexif()) or bool(image.info.get("exif")) or bool(image.info.get("icc_profile"))
            had_metadata = had_metadata or any(key not in ("dpi", "gamma") for key in image.info)
            upright = ImageOps.exif_transpose(image)
            target = "png" if kind_key == "png" else "jpeg"
            if target == "jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            if target == "jpeg":
                upright.save(out, "JPEG", quality=90, optimize=False)
            else:
                upright.save(out, "PNG")
    except Image.DecompressionBombError as bomb:
        # Pillow's own guard, past twice its limit, refuses in open(): the size is in its message.
        found = re.search(r"\((\d+) pixels\)", str(bomb))
        pixels = _millions(int(found.group(1))) if found else "?"
        raise FileImageTooLarge(name=name, megapixels=pixels, limit=_millions(limit)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise FileBroken(name=name) from None
    removed = (_("thông tin kèm ảnh (EXIF: máy chụp, vị trí GPS)"),) if had_metadata else ()
    return Cleaned(data=out.getvalue(), kind_key=target, removed=removed)


def _millions(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.0f}".replace(",", ".")


def _clean_pdf(content: bytes, name: str) -> Cleaned:
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError:
        raise FileEncrypted(name=name) from None
    except pikepdf.PdfError:
        raise FileBroken(name=name) from None
    with pdf:
        if pdf.is_encrypted:
            raise FileEncrypted(name=name)
        try:
            if len(pdf.pages) == 0:
                raise FileBroken(name=name)
            removed: dict[str, None] = {}
            _scrub(pdf.trailer, removed, seen=set())
        except pikepdf.PdfError:
            raise FileBroken(name=name) from None
        if not removed:
            return Cleaned(data=None, kind_key="pdf")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return Cleaned(data=out.getvalue(), kind_key="pdf", removed=tuple(removed))


def _scrub(obj: object, removed: dict[str, None], *, seen: set[tuple[int, int]]) -> None:
    """Walk the document from its trailer, deleting active content in place (each object once)."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in list(obj.keys()):
            value = obj[key]
            if key in _PDF_KEYS:
                del obj[key]
                removed[str(_PDF_KEYS[key])] = None
            elif (
                key in ("/A", "/Next")
                and isinstance(value, pikepdf.Dictionary)
                and str(value.get("/S")) in _PDF_ACTIONS
            ):
                del obj[key]
                removed[str(_PDF_ACTIONS[str(value.get("/S"))])] = None
            elif key != "/Parent":
                _scrub(value, removed, seen=seen)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            _scrub(item, removed, seen=seen)
