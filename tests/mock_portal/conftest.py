import json

import pytest

from emc_sync.mock_portal.models import PortalDossier, ReceivedRecord

MOCK = "/mock"


@pytest.fixture
def token(client):
    response = client.post(
        f"{MOCK}/oauth/token",
        {"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
    )
    return response.json()["access_token"]


@pytest.fixture
def stand_in(client, token):
    """A machine client of the stand-in: JSON bodies, the bearer token, Idempotency-Key."""

    class StandIn:
        def post(self, path, body, *, keys=None, bearer=token):
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            if keys is not None:
                headers["Idempotency-Key"] = ",".join(keys)
            return client.post(
                f"{MOCK}{path}", json.dumps(body, ensure_ascii=False), content_type="application/json", headers=headers
            )

        def get(self, path, params=None, *, bearer=token):
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            return client.get(f"{MOCK}{path}", params or {}, headers=headers)

    return StandIn()


def dossier(code="000.00.41.H42-261123-0001", **fields):
    """A valid national portal dossier record: received (status 2), filed online."""
    return {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "MaLinhVuc": "HOTICH",
        "TenLinhVuc": "Hộ tịch",
        "KenhThucHien": 2,
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "037090001234",
        "LoaiDoiTuong": 1,
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "NgayNopHoSo": "20261123090000",
        "NgayTiepNhan": "20261123093000",
        "NgayHenTra": "20261123170000",
        "TrangThaiHoSo": 2,
        "DonViXuLy": "UBND phường Hoa Lư",
        "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "037090001234"}],
        "TaiLieuNop": [{"TenTepDinhKem": "giay-chung-sinh.pdf", "MaThanhPhanHoSo": "TP1", "DuocSoHoa": 1}],
        **fields,
    }


def progress(code="000.00.41.H42-261123-0001", **fields):
    return {
        "MaHoSo": code,
        "NguoiXuLy": "Trần Thị Bình",
        "ChucDanh": "Công chức một cửa",
        "ThoiDiemXuLy": "20261123093000",
        "PhongBanXuLy": "Bộ phận một cửa",
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "TrangThai": 2,
        "NgayBatDau": "20261123093000",
        "NgayKetThucTheoQuyDinh": "20261123170000",
        **fields,
    }


def emc_event(code="000.00.41.H42-261123-0001", **fields):
    return {
        "CodeProfile": code,
        "SiteId": "ninhbinh",
        "CodeTTHC": "1.001193",
        "NameTTHC": "Đăng ký khai sinh",
        "MaHoSo": code,
        "Status": 1,
        "FormsReception": 1,
        "FormsPayments": 0,
        "Level": 4,
        "IsFromDVCQG": 0,
        "IsDVCBC": 2,
        "User": {"ID_local": "15", "ID_QG": "037090001234", "TYPE": 1, "LOCATION": "37"},
        **fields,
    }


def stored():
    """Everything the stand-in holds, to show that a refused request changed nothing."""
    return (
        list(ReceivedRecord.objects.values_list("target", "key", "ma_ho_so", "times_offered").order_by("id")),
        list(PortalDossier.objects.values_list("ma_ho_so", "payload").order_by("ma_ho_so")),
    )
