"""Prefill ("provide once"): names checked on save, profile values, the population registry
through its HTTP face (mocked with `responses`), cached per user, failing soft."""

import logging
from datetime import date

import pytest
import requests
import responses
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone

from dvctt import urls as portal_urls
from eforms.exceptions import InvalidForm
from eforms.models import FormVersion
from eforms.prefill import PrefillValues, prefill_values
from eforms.rendering import build_step_form
from eforms.selectors import form_version_get
from eforms.services import form_draft_save, form_import
from eforms.wizard import eform_wizard
from tests.eforms.builders import field, form, step
from tests.factories import ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = settings.POPULATION_REGISTRY_TOKEN_URL
CITIZEN_URL = settings.POPULATION_REGISTRY_URL + "/congdan/037090001234"
REGISTRY_HINT = "Lấy từ Cơ sở dữ liệu quốc gia về dân cư"
GENDER = [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def registry_form():
    return form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", "Họ và tên", prefill="dan_cu.HoVaTen"),
            field("ngay_sinh", "date", "Ngày sinh", prefill="dan_cu.NgaySinh"),
            field("gioi_tinh", "radio", "Giới tính", options=GENDER, prefill="dan_cu.GioiTinh"),
            field("thuong_tru", "text", "Nơi thường trú", prefill="dan_cu.NoiThuongTru"),
            field("dien_thoai", "phone", "Số điện thoại", prefill="profile.phone"),
        )
    )


def version_of(schema):
    return form_draft_save(procedure=ProcedureFactory(), schema=schema)


def citizen(**fields):
    defaults = {"full_name": "Nguyễn Văn An", "citizen_id": "037090001234", "phone": "0912345678"}
    return UserFactory(**{**defaults, **fields})


def registry_answers(status=200):
    responses.add(responses.POST, TOKEN_URL, json={"access_token": "t-1", "token_type": "Bearer", "expires_in": 3600})
    body = {
        "error_code": "0",
        "SoDinhDanh": "037090001234",
        "HoVaTen": "Nguyễn Văn An",
        "NgaySinh": "19900315",
        "GioiTinh": "1",
        "QueQuan": "Xã Ninh Hải, Ninh Bình",
        "NoiThuongTru": "Phường Hoa Lư, Ninh Bình",
        "DanToc": "Kinh",
        "QuocTich": "Việt Nam",
    }
    responses.add(responses.GET, CITIZEN_URL, json=body if status == 200 else {"error_code": "5"}, status=status)


# --- names checked on save ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ho_so.ten", "Bước 1, trường “ho_ten”: nguồn điền sẵn “ho_so” không có (các nguồn: dan_cu, profile)."),
        (
            "profile.nickname",
            "Bước 1, trường “ho_ten”: nguồn “profile” không có thông tin “nickname” (có: full_name, citizen_id, "
            "date_of_birth, gender, phone, email, address, province_code, ward_code).",
        ),
    ],
)
def test_an_unknown_prefill_source_is_refused_on_save(name, message):
    # given a field naming a source or attribute nobody registered
    schema = form(step("a", field("ho_ten", "text", "Họ và tên", prefill=name)))
    # when it is saved, then it is refused with the reason, nothing saved
    with pytest.raises(InvalidForm) as refused:
        form_draft_save(procedure=ProcedureFactory(), schema=schema)
    assert refused.value.errors == [message]
    assert FormVersion.objects.count() == 0


def test_prefill_on_a_field_type_that_holds_no_value_is_refused_by_the_shape():
    schema = form(step("a", field("tieu_de", "heading", "Tiêu đề", prefill="profile.full_name")))
    with pytest.raises(InvalidForm) as refused:
        form_draft_save(procedure=ProcedureFactory(), schema=schema)
    assert refused.value.errors == [
        "Bước 1, trường “tieu_de”: thuộc tính “prefill” không dùng cho loại trường “heading”."
    ]


def test_the_demo_birth_registration_form_declares_its_prefills():
    # given the demo form file
    with open(settings.BASE_DIR / "eforms/demo/1.001193.json", "rb") as demo:
        version = form_import(procedure=ProcedureFactory(), raw=demo.read())
    # then it is accepted and names the profile for the applicant's identity
    first = version.schema["steps"][0]["fields"]
    assert {f["key"]: f.get("prefill") for f in first} == {
        "ho_ten": "profile.full_name",
        "so_dinh_danh": "profile.citizen_id",
        "dien_thoai": "profile.phone",
        "email": "profile.email",
        "quan_he": None,
    }


# --- the profile --------------------------------------------------------------------------------


def profile_form():
    return form(
        step(
            "a",
            field("ho_ten", "text", "Họ và tên", prefill="profile.full_name"),
            field("so_dinh_danh", "citizen_id", "Số định danh", prefill="profile.citizen_id"),
            field("ngay_sinh", "date", "Ngày sinh", prefill="profile.date_of_birth"),
            field("gioi_tinh", "select", "Giới tính", options=GENDER, prefill="profile.gender"),
            field("dien_thoai", "phone", "Số điện thoại", prefill="profile.phone"),
            field("email", "email", "Thư điện tử", prefill="profile.email"),
            field("dia_chi", "address", "Địa chỉ", prefill="profile.address"),
            field("ghi_chu", "text", "Ghi chú"),
        )
    )


def test_profile_values_fill_the_fields_that_ask_for_them():
    # given a citizen with a full profile (not verified by VNeID)
    user = citizen(
        email="an@example.vn", date_of_birth=date(1990, 3, 15), gender="female", province_code=37, ward_code=14359
    )
    user.address = "Số 5, đường Trần Hưng Đạo"
    user.save()
    # when the form's prefill is asked for
    values = prefill_values(version=version_of(profile_form()), user=user)
    # then each field gets its clean value, and nothing claims a registry's authority
    assert values == {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "037090001234",
        "ngay_sinh": "1990-03-15",
        "gioi_tinh": "nu",
        "dien_thoai": "0912345678",
        "email": "an@example.vn",
        "dia_chi": {
            "province_code": 37,
            "province_name": "Ninh Bình",
            "ward_code": 14359,
            "ward_name": "Phường Nam Hoa Lư",
            "street": "Số 5, đường Trần Hưng Đạo",
        },
    }
    assert values.origins == {}
    assert values.locked == set()  # the applicant may correct their own profile's values


def test_a_vneid_verified_profile_is_marked_as_such():
    user = citizen(vneid_verified_at=timezone.now())
    values = prefill_values(version=version_of(profile_form()), user=user)
    assert values.origins == {
        "ho_ten": "Lấy từ tài khoản định danh điện tử (VNeID)",
        "so_dinh_danh": "Lấy từ tài khoản định danh điện tử (VNeID)",
        "dien_thoai": "Lấy từ tài khoản định danh điện tử (VNeID)",
    }


def test_values_a_field_would_refuse_are_left_out():
    # given a gender field whose options match neither gender word, and a profile phone the field refuses
    schema = form(
        step(
            "a",
            field("gioi_tinh", "radio", "Giới tính", options=[{"value": "a", "label": "A"}], prefill="profile.gender"),
            field("ho_ten", "text", "Họ và tên", max_length=5, prefill="profile.full_name"),
        )
    )
    user = citizen(gender="male")
    # when the prefill is asked for, then neither is offered
    assert prefill_values(version=version_of(schema), user=user) == {}


def test_an_anonymous_visitor_gets_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert prefill_values(version=version_of(profile_form()), user=AnonymousUser()) == {}


# --- the population registry --------------------------------------------------------------------


@responses.activate
def test_registry_values_are_converted_to_the_fields_values_and_marked():
    # given the registry knows the citizen
    registry_answers()
    user = citizen()
    # when the form's prefill is asked for
    values = prefill_values(version=version_of(registry_form()), user=user)
    # then the values are clean (ISO date, the form's own gender option) and marked as the registry's
    assert values == {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "1990-03-15",
        "gioi_tinh": "nam",
        "thuong_tru": "Phường Hoa Lư, Ninh Bình",
        "dien_thoai": "0912345678",
    }
    assert values.origins == dict.fromkeys(("ho_ten", "ngay_sinh", "gioi_tinh", "thuong_tru"), REGISTRY_HINT)
    assert values.locked == {"ho_ten", "ngay_sinh", "gioi_tinh", "thuong_tru"}
    # and the registry was asked with a client-credentials token
    token_call, lookup = responses.calls
    assert token_call.request.body == "grant_type=client_credentials&client_id=dvctt&client_secret=dvctt-secret"
    assert lookup.request.headers["Authorization"] == "Bearer t-1"


@responses.activate
def test_registry_answers_are_cached_per_user():
    # given one lookup already made
    registry_answers()
    user = citizen()
    version = version_of(registry_form())
    first = prefill_values(version=version, user=user)
    # when the prefill is asked for again (the next page of the wizard)
    second = prefill_values(version=version, user=user)
    # then the registry is not asked again
    assert second == first
    assert len(responses.calls) == 2  # one token, one lookup


@responses.activate
def test_a_user_without_a_citizen_id_is_not_looked_up():
    user = citizen(citizen_id="")
    assert prefill_values(version=version_of(registry_form()), user=user) == {"dien_thoai": "0912345678"}
    assert len(responses.calls) == 0


@responses.activate
def test_an_unknown_citizen_gets_no_registry_values():
    responses.add(responses.POST, TOKEN_URL, json={"access_token": "t-1", "expires_in": 3600})
    responses.add(responses.GET, CITIZEN_URL, json={"error_code": "3"}, status=404)
    assert prefill_values(version=version_of(registry_form()), user=citizen()) == {"dien_thoai": "0912345678"}


@responses.activate
@pytest.mark.parametrize("failure", ["server error", "timeout", "token refused"])
def test_a_registry_that_fails_gives_no_prefill_and_is_logged(caplog, failure):
    # given the registry fails
    if failure == "server error":
        registry_answers(status=503)
    elif failure == "timeout":
        responses.add(responses.POST, TOKEN_URL, json={"access_token": "t-1", "expires_in": 3600})
        responses.add(responses.GET, CITIZEN_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    else:
        responses.add(responses.POST, TOKEN_URL, json={"error": "invalid_client"}, status=401)
    # when the prefill is asked for
    with caplog.at_level(logging.WARNING, logger="eforms.prefill"):
        values = prefill_values(version=version_of(registry_form()), user=citizen())
    # then the profile's value is still there, the registry's are not, and the failure is logged
    assert values == {"dien_thoai": "0912345678"}
    assert values.origins == {}
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["prefill source dan_cu unavailable"]


@responses.activate
def test_the_wizard_form_works_when_the_registry_is_down():
    # given the registry answers 503
    registry_answers(status=503)
    version = version_of(registry_form())
    values = prefill_values(version=version, user=citizen())
    # when the step is built with that prefill and answered
    form_class = build_step_form(version.schema, "nguoi_khai", initial=values)
    bound = form_class(data={"ho_ten": "Nguyễn Văn An", "dien_thoai": "0912345678"})
    # then it validates as usual
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["ho_ten"] == "Nguyễn Văn An"


# --- shown with the field ----------------------------------------------------------------------


@responses.activate
def test_registry_values_are_shown_with_where_they_came_from():
    registry_answers()
    version = version_of(registry_form())
    values = prefill_values(version=version, user=citizen())
    # when the step is rendered with the prefill
    html = str(build_step_form(version.schema, "nguoi_khai", initial=values)())
    # then the value is in the box and the source is said next to it (the profile's phone is not marked)
    assert 'value="Nguyễn Văn An"' in html
    assert html.count(f'<span class="eform-prefill-origin">{REGISTRY_HINT}</span>') == 4


def test_an_answer_that_differs_from_the_prefill_loses_its_mark_unless_the_value_is_locked():
    # given prefilled values with their origin, one locked, and the user's saved answers
    prefilled = PrefillValues(
        {"ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-03-15", "dien_thoai": "0912345678"},
        {"ho_ten": "A", "ngay_sinh": "B", "dien_thoai": "C"},
        locked={"ho_ten"},
    )
    # when the answers are laid over the prefill
    merged = prefilled.overlay(
        {"ho_ten": "Nguyễn Văn Ân", "ngay_sinh": "1990-03-15", "dien_thoai": "0987654321", "ghi_chu": "x"}
    )
    # then the locked value stays, the changed answer is the user's, the unchanged one keeps its mark
    assert merged == {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "1990-03-15",
        "dien_thoai": "0987654321",
        "ghi_chu": "x",
    }
    assert merged.origins == {"ho_ten": "A", "ngay_sinh": "B"}
    assert merged.locked == {"ho_ten"}


def test_the_origin_hint_is_escaped():
    schema = form(step("a", field("ho_ten", "text", "Họ và tên", help_text="<i>x</i>")))
    values = PrefillValues({"ho_ten": "An"}, {"ho_ten": "<b>nguồn</b>"})
    html = str(build_step_form(schema, "a", initial=values)())
    assert "&lt;i&gt;x&lt;/i&gt;" in html
    assert '<span class="eform-prefill-origin">&lt;b&gt;nguồn&lt;/b&gt;</span>' in html


def test_saving_a_form_with_prefill_is_audited_like_any_other():
    admin = UserFactory(province_admin=True)
    form_draft_save(procedure=ProcedureFactory(), schema=registry_form(), actor=admin)
    assert list(LogEntry.objects.values_list("change_message", flat=True)) == ["Tạo bản nháp biểu mẫu v1"]


# --- in the citizens' wizard ----------------------------------------------------------------------


def prefilled_wizard(request, version_id):
    version = form_version_get(pk=version_id)
    saved_answers = {"thuong_tru": "Nơi khác", "dien_thoai": "0987654321"}
    prefill = prefill_values(version=version, user=request.user).overlay(saved_answers)
    return eform_wizard(request, version=version, prefill=prefill, on_complete=JsonResponse, storage_key="HS-1")


urlpatterns = [path("thu/<int:version_id>/", prefilled_wizard, name="prefilled"), *portal_urls.urlpatterns]


@responses.activate
@pytest.mark.urls(__name__)
def test_the_wizard_shows_registry_values_read_only_with_their_source(client):
    # given a VNeID-verified citizen the registry knows, and saved answers that differ from the prefill
    registry_answers()
    user = citizen(vneid_verified_at=timezone.now())
    client.force_login(user)
    version = version_of(registry_form())
    # when the citizen opens the form
    page = client.get(reverse("prefilled", args=[version.pk])).content.decode()
    # then the registry's values are in the boxes, read-only and marked, a saved answer notwithstanding
    assert 'value="Nguyễn Văn An" maxlength="1000" disabled' in page
    assert 'value="Phường Hoa Lư, Ninh Bình" maxlength="1000" disabled' in page
    assert 'value="1990-03-15"' in page
    assert page.count(f'<span class="eform-prefill-origin">{REGISTRY_HINT}</span>') == 4
    # and the profile's phone, changed by the citizen, is theirs: editable, unmarked
    assert 'value="0987654321"' in page
    assert "Lấy từ tài khoản định danh điện tử (VNeID)" not in page


@responses.activate
def test_a_value_the_registry_confirms_cannot_be_changed_by_posting():
    # given the step built with the registry's values
    registry_answers()
    version = version_of(registry_form())
    values = prefill_values(version=version, user=citizen())
    form_class = build_step_form(version.schema, "nguoi_khai", initial=values)
    # when a forged post sends other values for them
    bound = form_class(
        data={"ho_ten": "Người Khác", "ngay_sinh": "2000-01-01", "gioi_tinh": "nu", "dien_thoai": "0987654321"}
    )
    # then the registry's values are kept; the unconfirmed phone is the user's
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "1990-03-15",
        "gioi_tinh": "nam",
        "thuong_tru": "Phường Hoa Lư, Ninh Bình",
        "dien_thoai": "0987654321",
    }
