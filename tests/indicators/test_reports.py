import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from dossiers.models import Dossier, Rating
from tests.factories import UserFactory

from .conftest import at


def _sheet_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(min_row=3, values_only=True))


@pytest.mark.usefixtures("frozen")
def test_the_xlsx_holds_the_api_numbers(client, october):
    # given a province admin
    client.force_login(UserFactory(province_admin=True))

    # when
    xlsx = client.get(reverse("indicators:report"), {"ky": "2026-10", "dinh_dang": "xlsx"})
    api = client.get(reverse("api:indicator-agencies"), {"ky": "2026-10"}).json()
    total = client.get(reverse("api:indicator-scorecard"), {"ky": "2026-10"}).json()

    # then: per agency online rate, on-time rate, online payment rate and total as the API says
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(xlsx.content)
    by_code = {row[1]: row for row in rows}
    for item in api:
        row = by_code[item["agency"]]
        expected = [item["online_rate"], item["on_time_rate"], item["online_payment_rate"], item["total_points"]]
        assert [row[10], row[11], row[12], row[15]] == [None if v is None else float(v) for v in expected]
    assert rows[-1][0] == "Toàn phạm vi báo cáo"
    assert rows[-1][15] == float(total["total_points"])
    # 7 dossiers received in October: 4 online, 3 at the desk
    assert rows[-1][5:10] == (7, 4, 0, 3, 0)
    on_time = next(i for i in total["indicators"] if i["code"] == "2.1")
    assert Decimal(str(rows[-1][11])) == Decimal(on_time["rate"])


@pytest.mark.usefixtures("frozen")
def test_monthly_report_command_writes_xlsx_and_pdf(october, tmp_path):
    # when
    call_command("monthly_report", "--month", "2026-10", "--out", str(tmp_path))

    # then
    rows = _sheet_rows((tmp_path / "bao-cao-2026-10.xlsx").read_bytes())
    assert [r[0] for r in rows] == [
        "Sở Tư pháp",
        "Sở Xây dựng",
        "UBND phường Hoa Lư",
        "Toàn phạm vi báo cáo",
    ]  # by agency code
    text = " ".join(PdfReader(tmp_path / "bao-cao-2026-10.pdf").pages[0].extract_text().split())
    assert "Tháng 10/2026" in text
    assert "UBND phường Hoa Lư" in text


@pytest.mark.usefixtures("frozen")
def test_a_leader_downloads_the_pdf_of_their_scope(client, october):
    # given the department's leader
    client.force_login(october["leader"])

    # when
    response = client.get(reverse("indicators:report"), {"ky": "2026-10", "dinh_dang": "pdf"})

    # then
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2026-10.pdf"'
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Sở Tư pháp" in text
    assert "Sở Xây dựng" not in text


@pytest.mark.usefixtures("frozen")
def test_the_report_averages_the_ratings_given_in_the_month(client, october):
    # given October's ratings: 5 and 2 at the department, 4 at the ward; one of September, not counted
    department = Dossier.objects.filter(agency=october["department"]).order_by("pk")
    ward = Dossier.objects.get(agency=october["ward"])
    Rating.objects.create(dossier=department[0], score=5, created_at=at(10))
    Rating.objects.create(dossier=department[1], score=2, created_at=at(20))
    Rating.objects.create(dossier=ward, score=4, created_at=at(12))
    Rating.objects.create(dossier=department[2], score=1, created_at=at(28, month=9))
    client.force_login(UserFactory(province_admin=True))

    # when
    rows = _sheet_rows(client.get(reverse("indicators:report"), {"ky": "2026-10", "dinh_dang": "xlsx"}).content)

    # then: (5 + 2) / 2 = 3.5 for the department, 4 for the ward, none for the other department,
    # (5 + 2 + 4) / 3 = 3.67 for the whole scope
    by_name = {row[0]: row for row in rows}
    assert by_name["Sở Tư pháp"][14] == 3.5
    assert by_name["UBND phường Hoa Lư"][14] == 4.0
    assert by_name["Sở Xây dựng"][14] is None
    assert by_name["Toàn phạm vi báo cáo"][14] == 3.67
