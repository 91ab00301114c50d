"""What schemathesis found wrong between the API and its schema, one regression test each.

tests/api/test_schemathesis.py finds such disagreements by generating requests; these tests pin
each one that was fixed, by name, so that a change that brings one back says which.
"""

import base64
import re

import pytest
from django.urls import reverse

from accounts.constants import Role
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, SectorFactory, UserFactory


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operation(openapi, path):
    return openapi["paths"][path]["get"]


def parameter(openapi, path, name):
    return next(p for p in operation(openapi, path)["parameters"] if p["name"] == name)


def component(openapi, ref):
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]


# --- a top-level agency's parent is null (ST108 "null is not of type string") --------------------


def test_top_level_agency_has_a_null_parent_and_the_schema_allows_it(client, openapi):
    # given a department and a ward below it
    department = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    AgencyFactory(code="000.31.37.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD, parent=department)

    # when
    body = client.get(reverse("api:agency-list")).json()

    # then the department's parent is null, and the schema says the field may be null
    assert [(a["code"], a["parent"]) for a in body["results"]] == [
        ("000.00.12.H42", None),
        ("000.31.37.H42", "000.00.12.H42"),
    ]
    agency = component(openapi, "AgencyOutput")
    assert agency["properties"]["parent"]["nullable"] is True


# --- the dossier list is a page object, not a bare array (ST108 "... is not of type array") -----


def test_dossier_list_schema_is_the_page_object_the_view_returns(client, openapi):
    # given a citizen with one dossier
    citizen = UserFactory(role=Role.CITIZEN)
    dossier = DossierFactory(applicant=citizen)
    client.force_login(citizen)

    # when
    body = client.get(reverse("api:dossier-list")).json()

    # then the body and the schema are both {next, results}
    assert body["next"] is None
    assert [d["code"] for d in body["results"]] == [dossier.code]
    page = operation(openapi, "/api/v1/dossiers/")["responses"]["200"]["content"]["application/json"]["schema"]
    page_schema = component(openapi, page["$ref"])
    assert page_schema["type"] == "object"
    assert set(page_schema["properties"]) == {"next", "results"}
    assert page_schema["properties"]["next"]["nullable"] is True
    assert page_schema["properties"]["results"]["type"] == "array"


def test_operation_ids_stay_unique_and_stable(openapi):
    # The page object made drf-spectacular call the list "retrieve" too (a W001 collision that
    # `check --deploy` fails on, and clients generated from the schema would get "retrieve2").
    ids = [op["operationId"] for item in openapi["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert operation(openapi, "/api/v1/dossiers/")["operationId"] == "v1_dossiers_list"
    assert operation(openapi, "/api/v1/dossiers/{code}/")["operationId"] == "v1_dossiers_retrieve"


# --- every status a view answers is documented (ST103 "Undocumented status code") ---------------


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/api/v1/procedures/", {"200", "400"}),
        ("/api/v1/procedures/{code}/", {"200", "404"}),
        ("/api/v1/sectors/", {"200", "400"}),
        ("/api/v1/agencies/", {"200", "400"}),
        ("/api/v1/dossiers/", {"200", "400", "403"}),
        ("/api/v1/dossiers/{code}/", {"200", "403", "404"}),
        ("/api/v1/indicators/", {"200", "400", "403"}),
        ("/api/v1/indicators/agencies/", {"200", "400", "403"}),
    ],
)
def test_error_answers_are_documented(openapi, path, statuses):
    assert set(operation(openapi, path)["responses"]) == statuses


def test_documented_error_bodies_are_what_the_views_send(client, openapi):
    # given a signed-in citizen (indicators are for leaders) and nobody signed in
    citizen = UserFactory(role=Role.CITIZEN)

    # when
    anonymous = client.get(reverse("api:dossier-list"))
    missing = client.get(reverse("api:procedure-detail", args=["1.999999"]))
    client.force_login(citizen)
    forbidden = client.get(reverse("api:indicator-scorecard"))

    # then each is {"detail": "..."} in Vietnamese, as ErrorOutput says
    assert anonymous.status_code == 403
    assert missing.json() == {"detail": "Không tìm thấy thủ tục hành chính có mã 1.999999."}
    assert forbidden.json() == {"detail": "Chỉ lãnh đạo và quản trị cấp tỉnh được xem chỉ số."}
    error = component(openapi, "ErrorOutput")
    assert error["required"] == ["detail"]


# --- bad paging parameters are refused, not silently replaced (ST201 "offset=null" accepted) -----


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": "null"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1000000001"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"limit": "9" * 3000}, "limit"),  # a huge number; a longer address gets the 414 (test_security.py)
    ],
)
@pytest.mark.parametrize("name", ["api:procedure-list", "api:sector-list", "api:agency-list"])
def test_invalid_paging_is_a_400_naming_the_parameter(client, db, name, query, field):
    response = client.get(reverse(name), query)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_valid_paging_still_pages(client, db):
    # given three sectors
    for code in ("DATDAI", "HOTICH", "XAYDUNG"):
        SectorFactory(code=code)

    # when
    body = client.get(reverse("api:sector-list"), {"limit": "1", "offset": "1"}).json()

    # then
    assert body["count"] == 3
    assert [s["code"] for s in body["results"]] == ["HOTICH"]


def test_paging_bounds_are_in_the_schema(openapi):
    assert parameter(openapi, "/api/v1/procedures/", "limit")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
    }
    assert parameter(openapi, "/api/v1/sectors/", "offset")["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 1_000_000_000,
    }


# --- an unknown queue tab is refused (it used to fall back to "tất cả" silently) -----------------


def test_unknown_queue_tab_is_a_400(client, db):
    officer = UserFactory(role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory()])
    client.force_login(officer)

    unknown = client.get(reverse("api:dossier-list"), {"tab": "cho-xu-ly"})
    blank = client.get(reverse("api:dossier-list"), {"tab": ""})

    assert unknown.status_code == 400
    assert list(unknown.json()) == ["tab"]
    assert blank.status_code == 200


# --- the limits the views enforce are in the schema (so a longer value is a documented 400) ------


def text(max_length):
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}


def test_parameter_limits_are_in_the_schema(openapi):
    assert parameter(openapi, "/api/v1/procedures/", "q")["schema"] == text(200)
    assert parameter(openapi, "/api/v1/procedures/", "sector")["schema"] == text(30)
    assert parameter(openapi, "/api/v1/procedures/", "agency")["schema"] == text(20)
    assert "" in parameter(openapi, "/api/v1/procedures/", "level")["schema"]["enum"]
    assert "" in parameter(openapi, "/api/v1/dossiers/", "tab")["schema"]["enum"]
    assert parameter(openapi, "/api/v1/dossiers/", "after")["schema"] == text(64)
    assert parameter(openapi, "/api/v1/indicators/", "co_quan")["schema"] == {
        "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [""]}]
    }
    assert parameter(openapi, "/api/v1/indicators/", "thu_tuc")["schema"] == text(20)


# --- NUL: PostgreSQL refuses it in text (found by a 200-example run: 500s, and 400s undocumented)


@pytest.mark.parametrize(
    ("query", "field"), [({"q": "khai\x00sinh"}, "q"), ({"sector": "\x00"}, "sector"), ({"agency": "\x00"}, "agency")]
)
def test_nul_in_a_text_parameter_is_a_400_the_schema_announces(client, openapi, query, field):
    response = client.get(reverse("api:procedure-list"), query)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert re.fullmatch(parameter(openapi, "/api/v1/procedures/", field)["schema"]["pattern"], "\x00") is None


def test_nul_in_a_code_in_the_path_is_a_404_not_a_500(client, db):
    client.force_login(UserFactory(role=Role.CITIZEN))

    procedure = client.get("/api/v1/procedures/1.001193%00/")
    dossier = client.get("/api/v1/dossiers/%00/")

    assert procedure.status_code == 404
    assert dossier.status_code == 404
    assert dossier.json() == {"detail": "Không tìm thấy hồ sơ."}


# --- the API signs in with the session only (HTTP Basic: a 500 on NUL, and a password per request)


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize("name", ["api:sector-list", "api:dossier-list", "api:indicator-scorecard"])
def test_http_basic_with_a_nul_user_name_is_not_a_500(client, db, name):
    response = client.get(reverse(name), HTTP_AUTHORIZATION=basic("\x00", "x"))

    assert response.status_code in (200, 403)  # public list, or not signed in


def test_http_basic_with_a_real_password_does_not_sign_in(client, db):
    # given a leader with a known password (UserFactory's)
    leader = UserFactory(role=Role.LEADER, agencies=[AgencyFactory()])

    # when the password comes with the request instead of through the sign-in form
    response = client.get(
        reverse("api:indicator-scorecard"), HTTP_AUTHORIZATION=basic(leader.username, "Mat-khau-2026")
    )

    # then the API does not know who is asking
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_the_schema_offers_the_session_cookie_only(openapi):
    assert set(openapi["components"]["securitySchemes"]) == {"cookieAuth"}


def test_an_empty_filter_means_all_as_the_schema_says(client, openapi):
    # given a province admin
    client.force_login(UserFactory(province_admin=True))

    # when the dashboard's form sends its empty choices
    response = client.get(reverse("api:indicator-agencies"), {"co_quan": "", "linh_vuc": "", "ky": "2026"})

    # then that is every agency and sector, and the schema allows the empty value (it said integer)
    assert response.status_code == 200
    for name in ("co_quan", "linh_vuc"):
        assert {"type": "string", "enum": [""]} in parameter(openapi, "/api/v1/indicators/agencies/", name)["schema"][
            "anyOf"
        ]


@pytest.mark.parametrize(("ky", "status"), [("2026", 200), ("2026-10", 200), ("2026-13", 400), ("26-10", 400)])
def test_period_pattern_in_the_schema_matches_what_the_view_accepts(client, openapi, ky, status):
    # given a province admin (every agency in scope)
    client.force_login(UserFactory(province_admin=True))
    pattern = parameter(openapi, "/api/v1/indicators/", "ky")["schema"]["pattern"]

    # when
    response = client.get(reverse("api:indicator-scorecard"), {"ky": ky})

    # then the view and the schema agree on the value
    assert response.status_code == status
    assert bool(re.fullmatch(pattern, ky)) is (status == 200)
