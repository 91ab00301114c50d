"""Real files for tests, small and made on the spot: uploads are opened and re-encoded
(dossiers/attachments/sanitise.py), so a few magic bytes no longer pass for a PDF or a photo."""

import io

import pikepdf
import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()


def pdf_bytes(*, pages: int = 1, javascript: str = "", embedded: bytes = b"") -> bytes:
    """A PDF of blank pages; with `javascript`, an open action running it; with `embedded`, an attached file."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    if javascript:
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(javascript))
        )
    if embedded:
        attachment = pikepdf.AttachedFileSpec(pdf, embedded, mime_type="application/octet-stream")
        pdf.attachments["payload.bin"] = attachment
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), *, exif_gps: bool = False) -> bytes:
    """A small solid image; with `exif_gps`, EXIF naming a camera and a GPS position (JPEG)."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "Điện thoại thử"  # Make
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 0.0), 3: "E", 4: (105.0, 50.0, 0.0)}  # GPSInfo
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
HEIC = image_bytes("HEIF")
