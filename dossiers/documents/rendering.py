"""What every printed paper of the portal shares: the heading, the wording of dates, the QR
code, the portal's public address, and printing HTML to an A4 PDF.

Used by the legal forms (documents/services.py) and the electronic receipt
(payments/receipts.py). Printing never touches the network: the only URLs WeasyPrint may
fetch are `data:` URLs (the QR code), and the stylesheet is read from disk by us.
"""

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from vietnam_provinces import Province, ProvinceCode

from procedures.models import Agency


def portal_url(path: str, base_url: str | None = None) -> str:
    """`path` on the portal's public address (`base_url`, default settings.PORTAL_BASE_URL):
    what a printed QR code or a platform's callback points at."""
    base = base_url or settings.PORTAL_BASE_URL
    return f"{str(base).rstrip('/')}{path}"


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (vector, so it prints sharp at any size; sized by CSS)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, omitsize=True)


def pdf_from_html(html: str) -> bytes:
    """The HTML printed to PDF with the documents' stylesheet; fetches nothing but `data:` URLs."""
    import weasyprint  # heavy (Pango, fonts): only where a PDF is made

    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    stylesheet = weasyprint.CSS(string=_stylesheet(), url_fetcher=fetcher)
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    assert pdf is not None  # noqa: S101 - write_pdf returns the bytes when given no target
    return bytes(pdf)


@cache
def _stylesheet() -> str:
    return (Path(settings.BASE_DIR) / "static" / "css" / "documents.css").read_text(encoding="utf-8")


def heading(agency: Agency, *, form_number: str, title: str, issued_at: dt.datetime) -> dict[str, Any]:
    """What the top of every paper shows: issuer, national motto, place and date, form number."""
    return {
        "agency": agency,
        "parent_agency": agency.parent,
        "form_number": form_number,
        "title": title,
        "place": _place_name(),
        "issued_on": long_date(timezone.localtime(issued_at).date()),
    }


@cache
def _place_name() -> str:
    """Địa danh of the date line: the province of the portal ("Ninh Bình, ngày ... tháng ...")."""
    place = getattr(settings, "DOCUMENT_PLACE_NAME", "")
    if place:
        return str(place)
    try:
        return str(Province.from_code(ProvinceCode(settings.PORTAL_PROVINCE_CODE)).name)
    except (ValueError, KeyError, AttributeError):
        return ""


def long_date(day: dt.date) -> str:
    """ "ngày 02 tháng 12 năm 2026", the wording of the forms."""
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def long_datetime(moment: dt.datetime | None) -> str:
    """ "09 giờ 00 phút, ngày 02 tháng 12 năm 2026", the wording of the forms; "" for no moment."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, {long_date(local.date())}"
