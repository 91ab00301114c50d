import pytest

pytestmark = pytest.mark.django_db


def test_the_registry_knows_the_demo_citizen(stand_in):
    # when
    response = stand_in.get("/dancu/congdan/037090001234")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "error_code": "0",
        "message": "Thành công.",
        "SoDinhDanh": "037090001234",
        "HoVaTen": "Nguyễn Văn An",
        "NgaySinh": "19900315",
        "GioiTinh": 1,
        "QueQuan": "Xã Gia Viễn, tỉnh Ninh Bình",
        "NoiThuongTru": "Số 12, đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình",
        "DanToc": "Kinh",
        "QuocTich": "Việt Nam",
    }


def test_an_unknown_citizen_is_not_found(stand_in):
    # when
    response = stand_in.get("/dancu/congdan/037090009999")

    # then
    assert (response.status_code, response.json()) == (
        404,
        {"error_code": "3", "message": "Không tìm thấy công dân có số định danh này."},
    )


def test_a_number_that_is_not_twelve_digits_is_refused(stand_in):
    # when
    response = stand_in.get("/dancu/congdan/37090001234")

    # then
    assert (response.status_code, response.json()["error_code"]) == (400, "1")
