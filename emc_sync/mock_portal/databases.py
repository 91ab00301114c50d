"""Sector databases of the stand-in (Resolution 66.7/2025/NQ-CP): civil status, business
registration, land. Each answers one record by the number it is looked up by, in the same
shape: {error_code "0", MaCSDL, MaBanGhi, DuLieu}. The population database is /dancu/congdan.

The records agree with the population registry's demo citizens (citizens.py)."""

from typing import Any

RECORDS: dict[tuple[str, str], dict[str, Any]] = {
    ("CSDLHTDT", "037090001234"): {
        "MaBanGhi": "HT-KS-1990-000315",
        "DuLieu": {
            "LoaiViecHoTich": "Khai sinh",
            "HoVaTen": "Nguyễn Văn An",
            "NgaySinh": "19900315",
            "NoiDangKy": "UBND xã Gia Viễn, tỉnh Ninh Bình",
            "SoDangKy": "315/1990",
        },
    },
    ("CSDLHTDT", "037195004321"): {
        "MaBanGhi": "HT-KS-1995-004321",
        "DuLieu": {"LoaiViecHoTich": "Khai sinh", "HoVaTen": "Trần Thị Mai", "SoDangKy": "88/1995"},
    },
    ("CSDLQGDKDN", "037090001234"): {
        "MaBanGhi": "DN-2701234567",
        "DuLieu": {
            "MaSoDoanhNghiep": "2701234567",
            "TenDoanhNghiep": "Hộ kinh doanh Nguyễn Văn An",
            "TinhTrang": "Đang hoạt động",
        },
    },
    ("CSDLQGDD", "037090001234"): {
        "MaBanGhi": "DD-CS-123456",
        "DuLieu": {"SoGiayChungNhan": "CS 123456", "ThuaDat": "Thửa 45, tờ bản đồ 12", "DienTich": "120,5 m²"},
    },
}


def record_get(ma_csdl: str, key: str) -> dict[str, Any] | None:
    found = RECORDS.get((ma_csdl, key))
    return {"MaCSDL": ma_csdl, **found} if found else None
