import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from procedures.catalogue_io import CatalogueFileError, parse_catalogue, render_catalogue
from procedures.constants import AgencyLevel
from procedures.exceptions import ImportRejected
from procedures.models import DossierComponent, Fee, Procedure
from procedures.services import procedure_to_row, procedures_for_export, procedures_import
from tests.factories import AgencyFactory, SectorFactory


@pytest.fixture
def reference(db):
    SectorFactory(code="HOTICH", name="Hộ tịch")
    AgencyFactory(code="000.31.37.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD)


def row(**overrides):
    data = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "sector": "HOTICH",
        "online_level": "full",
        "partial_reason": "",
        "channels": ["online", "direct"],
        "time_limit_value": 0,
        "time_limit_unit": "day",
        "online_time_limit_value": None,
        "same_day_rule": True,
        "time_limit_note": "",
        "applicant_types": ["citizen"],
        "implementing_agencies": ["000.31.37.H42"],
        "result_document": "Giấy khai sinh (bản chính)",
        "legal_basis": "Luật Hộ tịch số 60/2014/QH13",
        "conditions": "",
        "steps": "Bước 1: Nộp hồ sơ.",
        "fees": [
            {
                "name": "Lệ phí đăng ký khai sinh",
                "amount": 0,
                "unit": "",
                "online_discount_percent": 0,
                "note": "Miễn lệ phí khi đăng ký đúng hạn",
            }
        ],
        "components": [
            {
                "name": "Tờ khai đăng ký khai sinh",
                "required": True,
                "original_copies": 1,
                "copies": 0,
                "template_name": "Mẫu TP/HT-2020-KS.1",
                "reusable": False,
            }
        ],
        "published": True,
        "popularity": 10,
    }
    data.update(overrides)
    return data


def snapshot():
    return [procedure_to_row(p) for p in procedures_for_export()]


def test_good_file_creates_procedures_with_fees_and_components(reference):
    report = procedures_import(rows=[row(), row(code="1.000656", name="Đăng ký khai tử")])

    assert report.created == ["1.001193", "1.000656"]
    birth = Procedure.objects.get(code="1.001193")
    assert birth.search_text == "1.001193 dang ki khai sinh"
    assert [a.code for a in birth.implementing_agencies.all()] == ["000.31.37.H42"]
    assert list(birth.fees.values_list("name", "amount")) == [("Lệ phí đăng ký khai sinh", 0)]
    assert list(birth.components.values_list("name", "required")) == [("Tờ khai đăng ký khai sinh", True)]


def test_rerunning_the_same_file_changes_nothing(reference):
    procedures_import(rows=[row()])
    before = snapshot()
    stamp = Procedure.objects.get().updated_at
    fee_ids = list(Fee.objects.values_list("id", flat=True))

    report = procedures_import(rows=[row()])

    assert report.unchanged == ["1.001193"]
    assert report.created == report.updated == []
    assert snapshot() == before
    assert Procedure.objects.get().updated_at == stamp
    assert list(Fee.objects.values_list("id", flat=True)) == fee_ids


def test_a_changed_row_is_updated(reference):
    procedures_import(rows=[row()])

    report = procedures_import(rows=[row(name="Đăng ký khai sinh (sửa)", fees=[])])

    assert report.updated == ["1.001193"]
    assert Procedure.objects.get().name == "Đăng ký khai sinh (sửa)"
    assert Fee.objects.count() == 0


def test_bad_rows_are_all_reported_and_nothing_is_written(reference):
    procedures_import(rows=[row()])
    before = snapshot()

    with pytest.raises(ImportRejected) as excinfo:
        procedures_import(
            rows=[
                row(name="Đổi tên nhưng không được ghi"),
                row(code="1.000656", implementing_agencies=["999.99.99.X99"]),
                row(code="12345", sector="KHONGCO"),
                row(code="1.000894", online_level="partial", partial_reason=""),
                row(code="1.000894"),
            ]
        )

    errors = excinfo.value.errors
    assert any("Bản ghi 2 (1.000656)" in e and "“999.99.99.X99” không tồn tại" in e for e in errors)
    assert any("Bản ghi 3 (12345): Mã thủ tục (code)" in e for e in errors)
    assert any("Bản ghi 3 (12345): Lĩnh vực (sector): Lĩnh vực có mã “KHONGCO” không tồn tại." in e for e in errors)
    assert any("Bản ghi 4 (1.000894)" in e and "phải nêu lý do" in e for e in errors)
    assert "Bản ghi 5 (1.000894): mã thủ tục trùng với bản ghi 4." in errors
    assert len(errors) == 5, errors
    assert snapshot() == before
    assert Procedure.objects.count() == 1
    assert DossierComponent.objects.count() == 1


def test_nested_errors_name_the_fee_and_field(reference):
    with pytest.raises(ImportRejected) as excinfo:
        procedures_import(rows=[row(fees=[{"name": "Lệ phí", "amount": -5}])])

    assert len(excinfo.value.errors) == 1
    assert excinfo.value.errors[0].startswith(
        "Bản ghi 1 (1.001193): Phí, lệ phí thứ 1 – mức thu (đồng) (fees[1].amount):"
    )


def test_duplicate_codes_in_one_file_are_refused(reference):
    with pytest.raises(ImportRejected) as excinfo:
        procedures_import(rows=[row(), row()])

    assert excinfo.value.errors == ["Bản ghi 2 (1.001193): mã thủ tục trùng với bản ghi 1."]
    assert Procedure.objects.count() == 0


def test_malformed_json_gets_a_line_and_column():
    with pytest.raises(CatalogueFileError) as excinfo:
        parse_catalogue(b'{"procedures": [ {"code": "1.001193",, } ]}', file_format="json")

    assert "sai cú pháp ở dòng 1, cột 38" in str(excinfo.value)


def test_non_utf8_file_is_refused():
    with pytest.raises(CatalogueFileError, match="UTF-8"):
        parse_catalogue("Đăng ký".encode("utf-16"), file_format="json")


def test_export_then_import_round_trips_in_json_and_csv(reference):
    procedures_import(rows=[row(), row(code="1.000656", name="Đăng ký khai tử", channels=["online"], fees=[])])
    before = snapshot()

    for file_format in ("json", "csv"):
        text = render_catalogue(before, file_format=file_format)
        rows = parse_catalogue(text.encode(), file_format=file_format)
        report = procedures_import(rows=rows)
        assert report.unchanged == ["1.000656", "1.001193"], file_format
    assert snapshot() == before


def test_command_reports_every_rejected_row_and_fails(reference, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(
        json.dumps({"procedures": [row(implementing_agencies=["000.00.00.X00"]), row(code="1.000656", sector="?")]}),
        encoding="utf-8",
    )
    err = StringIO()

    with pytest.raises(CommandError, match="Nhập danh mục thất bại"):
        call_command("import_procedures", str(path), stderr=err)

    assert "Có 2 lỗi" in err.getvalue()
    assert "Cơ quan có mã “000.00.00.X00” không tồn tại." in err.getvalue()
    assert "Lĩnh vực có mã “?” không tồn tại." in err.getvalue()
    assert Procedure.objects.count() == 0


def test_command_imports_csv_and_says_what_it_did(reference, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(render_catalogue([row()], file_format="csv"), encoding="utf-8")
    out = StringIO()

    call_command("import_procedures", str(path), stdout=out)
    call_command("import_procedures", str(path), stdout=out)

    assert "1 thêm mới, 0 cập nhật, 0 không đổi" in out.getvalue()
    assert "0 thêm mới, 0 cập nhật, 1 không đổi" in out.getvalue()


def test_command_refuses_a_malformed_file(reference, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")

    with pytest.raises(CommandError, match="sai cú pháp"):
        call_command("import_procedures", str(path))
    assert Procedure.objects.count() == 0


def test_export_command_writes_the_import_format(reference, tmp_path):
    procedures_import(rows=[row()])
    path = tmp_path / "out.json"

    call_command("export_procedures", str(path), stdout=StringIO())

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "dvctt.procedures/1"
    assert data["procedures"][0]["code"] == "1.001193"
    assert data["procedures"][0]["time_limit_value"] == 0
