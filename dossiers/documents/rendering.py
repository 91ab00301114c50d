"""What every printed paper of the portal shares: the heading, the wording of dates, the QR
code, the portal's public address, and printing HTML to an A4 PDF.

Used by the legal forms (documents/services.py) and the electronic receipt
(payments/receipts.py). Printing never touches the network: the only URLs WeasyPrint may
fetch are `data:` URLs (the QR code), and the stylesheet is read from disk by us.

Every PDF is PDF/A-3b (ISO 19005-3: fonts embedded, colour profile, XMP identification) and
tagged (structure tree, /Lang), so archives take it as it is.
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

from . import issuer

PDF_VARIANT = "pdf/a-3b"


def portal_url(path: str, base_url: str | None = None) -> str:
    """`path` on the portal's public address (`base_url`, default settings.PORTAL_BASE_URL):
    what a printed QR code or a platform's callback points at."""
    base = base_url or settings.PORTAL_BASE_URL
    return f"{str(base).rstrip('/')}{path}"


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (vector, so it prints sharp at any size; sized by CSS)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, omitsize=True)


def pdf_from_html(html: str, *more_copies: str) -> bytes:
    """The HTML printed to one PDF/A-3b with the documents' stylesheet; fetches nothing but `data:`
    URLs. Each further HTML (another copy, liên, of the same paper) follows on pages of its own,
    numbered from 1 like a paper of its own."""
    import weasyprint  # heavy (Pango, fonts): only where a PDF is made

    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    stylesheet = weasyprint.CSS(string=_stylesheet(), url_fetcher=fetcher)
    documents = [
        weasyprint.HTML(string=copy, url_fetcher=fetcher).render(stylesheets=[stylesheet], pdf_tags=True)
        for copy in (html, *more_copies)
    ]
    first = documents[0]
    if len(documents) > 1:
        first = first.copy([page for document in documents for page in document.pages])
    pdf = first.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    assert pdf is not None  # noqa: S101 - write_pdf returns the bytes when given no target
    return bytes(pdf)


@cache
def _stylesheet() -> str:
    return (Path(settings.BASE_DIR) / "static" / "css" / "documents.css").read_text(encoding="utf-8")


def agency_parents(agency: Agency) -> list[Agency]:
    """The agency's parents, nearest first (a loop in the data stops the walk)."""
    parents: list[Agency] = []
    current = agency.parent
    while current is not None and current not in parents and current != agency:
        parents.append(current)
        current = current.parent
    return parents


def heading(
    agency: Agency, *, form_number: str, title: str, issued_at: dt.datetime, reference: str = ""
) -> dict[str, Any]:
    """What the top of every paper shows (Decree 30/2020): the issuer's name in full with its
    parent's line only where it has one, the national motto, the place and date, the form number."""
    parent_names = [parent.name for parent in agency_parents(agency)]
    parent_line, name_line = issuer.issuer_lines(agency.name, parent_names)
    return {
        "agency": agency,
        "agency_name": issuer.full_name(agency.name),
        "issuer_parent": parent_line,
        "issuer_name": name_line,
        "form_number": form_number,
        "title": title,
        "reference": reference,
        "place": issuer.place_name(agency.name, parent_names, default=_default_place_name()),
        "issued_on": long_date(timezone.localtime(issued_at).date()),
    }


@cache
def _default_place_name() -> str:
    """The place when no unit is named in the issuer's names: settings.DOCUMENT_PLACE_NAME, else
    the portal's province ("Ninh Bình")."""
    place = getattr(settings, "DOCUMENT_PLACE_NAME", "")
    if place:
        return str(place)
    try:
        return str(Province.from_code(ProvinceCode(settings.PORTAL_PROVINCE_CODE)).name)
    except (ValueError, KeyError, AttributeError):
        return ""


def long_date(day: dt.date) -> str:
    """ "ngày 02 tháng 12 năm 2026", "ngày 15 tháng 9 năm 2025": Decree 30 writes a 0 before a
    day under 10 and before months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day:%d} tháng {month} năm {day:%Y}"


def long_datetime(moment: dt.datetime | None) -> str:
    """ "09 giờ 00 phút, ngày 02 tháng 12 năm 2026", the wording of the forms; "" for no moment."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, {long_date(local.date())}"
