import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from emc_sync.schemas import schema_errors

FOLDER = Path(__file__).resolve().parents[2] / "emc_sync" / "schemas"


@pytest.mark.parametrize("name", ["dvcqg_hoso", "dvcqg_tiendo", "emc"])
def test_each_schema_is_a_valid_json_schema(name):
    Draft202012Validator.check_schema(json.loads((FOLDER / f"{name}.schema.json").read_text(encoding="utf-8")))


def test_a_progress_record_with_mistakes_gets_every_mistake_named():
    # given a progress record with a bad date, a status out of range, a field too many and one missing
    record = {
        "MaHoSo": "000.00.12.H42-261123-0001",
        "NguoiXuLy": "Cán bộ",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": "2026-11-23 09:00",
        "PhongBanXuLy": "Sở Tư pháp",
        "NoiDungXuLy": "Tiếp nhận",
        "TrangThai": 11,
        "Extra": 1,
    }

    # when checked against our schema
    errors = schema_errors("dvcqg_tiendo", record)

    # then
    assert errors == [
        "(gốc): Additional properties are not allowed ('Extra' was unexpected)",
        "(gốc): 'NgayBatDau' is a required property",
        "ThoiDiemXuLy: '2026-11-23 09:00' does not match '^[0-9]{14}$'",
        "TrangThai: 11 is greater than the maximum of 10",
    ]


def test_an_email_that_is_not_one_is_refused():
    assert (
        schema_errors("dvcqg_hoso", {"Email": "khong-phai-email"})[-1] == "Email: 'khong-phai-email' is not a 'email'"
    )
