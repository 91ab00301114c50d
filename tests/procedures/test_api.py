import pytest
from django.urls import reverse

from tests.factories import ComponentFactory, FeeFactory


@pytest.fixture
def api(client):
    return client


def test_list_without_query_is_paginated_by_code(api, civil_status_catalogue):
    response = api.get("/api/v1/procedures/", {"limit": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 9  # published only: 8 civil-status/land + 1 partial
    assert [p["code"] for p in body["results"]] == ["1.000656", "1.000689", "1.000894"]
    assert body["results"][0]["sector"] == {"code": "HOTICH", "name": "Hộ tịch"}


def test_search_without_diacritics_finds_birth_registration_first(api, civil_status_catalogue):
    response = api.get("/api/v1/procedures/", {"q": "dang ky khai sinh"})

    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "1.001193"


def test_filters_by_sector_agency_and_level(api, civil_status_catalogue):
    by_sector = api.get("/api/v1/procedures/", {"sector": "DATDAI"}).json()
    by_agency = api.get("/api/v1/procedures/", {"agency": "000.31.37.H42"}).json()
    by_level = api.get("/api/v1/procedures/", {"level": "partial"}).json()

    assert [p["code"] for p in by_sector["results"]] == ["1.012756", "1.012783"]
    assert by_agency["count"] == 8
    assert [p["code"] for p in by_level["results"]] == ["2.000815"]


def test_too_long_query_is_a_400_with_a_vietnamese_message(api, civil_status_catalogue):
    response = api.get("/api/v1/procedures/", {"q": "a" * 1_000})

    assert response.status_code == 400
    assert response.json() == {
        "code": "search_query_too_long",
        "detail": "Từ khóa tìm kiếm quá dài. Vui lòng nhập tối đa 200 ký tự.",
    }


def test_unknown_level_is_a_400(api, db):
    response = api.get("/api/v1/procedures/", {"level": "level4"})

    assert response.status_code == 400
    assert "level" in response.json()


def test_detail_has_fees_components_and_agencies(api, civil_status_catalogue, django_assert_max_num_queries):
    procedure = civil_status_catalogue["1.012756"]
    FeeFactory(procedure=procedure, name="Lệ phí cấp giấy chứng nhận", amount=100_000, online_discount_percent=20)
    ComponentFactory(procedure=procedure, name="Đơn đăng ký", reusable=True)

    with django_assert_max_num_queries(4):
        response = api.get(reverse("api:procedure-detail", args=["1.012756"]))

    body = response.json()
    assert body["fees"][0]["amount"] == 100_000
    assert body["fees"][0]["online_amount"] == 80_000
    assert body["components"][0] == {
        "name": "Đơn đăng ký", "required": True, "original_copies": 1, "copies": 0, "template_name": "", "reusable": True,
    }  # fmt: skip
    assert body["implementing_agencies"][0]["code"] == "000.31.37.H42"


def test_draft_and_unknown_procedures_are_404(api, civil_status_catalogue):
    assert api.get("/api/v1/procedures/2.999999/").status_code == 404
    response = api.get("/api/v1/procedures/9.999999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy thủ tục hành chính có mã 9.999999."


def test_sectors_and_agencies(api, civil_status_catalogue):
    sectors = api.get("/api/v1/sectors/").json()
    agencies = api.get("/api/v1/agencies/").json()

    assert {"code": "DATDAI", "name": "Đất đai"} in sectors["results"]
    assert any(a["code"] == "000.31.37.H42" and a["level"] == "ward" for a in agencies["results"])


def test_api_is_read_only(api, civil_status_catalogue):
    assert api.post("/api/v1/procedures/", {"code": "1.000001"}).status_code == 405


def test_openapi_schema_and_docs_page(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = api.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/procedures/", "/api/v1/procedures/{code}/", "/api/v1/sectors/", "/api/v1/agencies/"} <= set(paths)
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
