"""Drafts, publishing, clones, import and export: published versions never change, refusals save nothing."""

import json

import pytest
from django.contrib.admin.models import LogEntry

from common.constants import VersionState
from eforms.exceptions import DraftAlreadyExists, FormVersionNotFound, InvalidForm, PublishedVersionImmutable
from eforms.models import FormDefinition, FormVersion
from eforms.selectors import form_draft_get, form_version_current, form_version_get
from eforms.services import (
    form_draft_save,
    form_export,
    form_import,
    form_version_clone,
    form_version_publish,
    form_version_update,
)
from tests.eforms.builders import field, form, step
from tests.factories import ComponentFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def birth_form(label="Họ và tên"):
    return form(
        step("nguoi_khai", field("ho_ten", "text", label, required=True), field("ngay_sinh", "date", "Ngày sinh")),
        step("giay_to", field("to_khai", "file", "Tờ khai", component="Tờ khai đăng ký khai sinh", required=True)),
    )


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ComponentFactory(procedure=procedure, name="Tờ khai đăng ký khai sinh", order=1)
    ComponentFactory(procedure=procedure, name="Giấy chứng sinh", order=2)
    return procedure


def counts():
    return FormDefinition.objects.count(), FormVersion.objects.count(), LogEntry.objects.count()


def test_saving_a_draft_creates_the_definition_once_and_keeps_one_draft(procedure):
    # given a province admin
    admin = UserFactory(province_admin=True)

    # when the draft is saved twice
    first = form_draft_save(procedure=procedure, schema=birth_form(), actor=admin)
    second = form_draft_save(procedure=procedure, schema=birth_form("Họ, chữ đệm và tên"), actor=admin)

    # then it is the same draft, version 1, with the last schema, and both saves are in the audit trail
    assert second.pk == first.pk
    assert (second.number, second.state) == (1, VersionState.DRAFT)
    assert FormVersion.objects.get().schema["steps"][0]["fields"][0]["label"] == "Họ, chữ đệm và tên"
    assert FormDefinition.objects.get().name == "Biểu mẫu Đăng ký khai sinh"
    assert list(LogEntry.objects.order_by("pk").values_list("change_message", flat=True)) == [
        "Tạo bản nháp biểu mẫu v1",
        "Sửa bản nháp biểu mẫu v1",
    ]


def test_an_invalid_draft_is_refused_and_nothing_is_saved(procedure):
    # given a form with two mistakes
    schema = birth_form()
    schema["steps"][0]["fields"][1]["type"] = "signature"
    schema["steps"][0]["fields"][0]["visible_if"] = {"field": "khong_co", "op": "filled"}

    # when
    with pytest.raises(InvalidForm) as refused:
        form_draft_save(procedure=procedure, schema=schema, actor=UserFactory(province_admin=True))

    # then every problem is listed, and no row was written
    assert refused.value.errors == ["Bước 1, trường “ngay_sinh”: loại trường “signature” không được hỗ trợ."]
    assert str(refused.value).startswith("Biểu mẫu không hợp lệ. Bước 1, trường “ngay_sinh”")
    assert counts() == (0, 0, 0)


def test_a_file_field_must_name_a_component_of_the_procedure(procedure):
    # given file fields bound to a component number and a name the procedure does not have
    schema = birth_form()
    schema["steps"][1]["fields"] += [
        field("ban_sao", "file", "Bản sao", component=3),
        field("khac", "file", "Khác", component="Giấy tờ khác"),
    ]

    # when
    with pytest.raises(InvalidForm) as refused:
        form_draft_save(procedure=procedure, schema=schema)

    # then
    assert refused.value.errors == [
        "Bước 2, trường “ban_sao”: thủ tục không có thành phần hồ sơ thứ 3 (thủ tục có 2 thành phần).",
        "Bước 2, trường “khac”: thủ tục không có thành phần hồ sơ “Giấy tờ khác”.",
    ]
    assert counts() == (0, 0, 0)


def test_publishing_freezes_the_version_and_is_idempotent(procedure):
    # given a draft
    draft = form_draft_save(procedure=procedure, schema=birth_form())

    # when it is published twice
    published = form_version_publish(version=draft, actor=UserFactory(province_admin=True))
    again = form_version_publish(version=draft, actor=UserFactory(province_admin=True))

    # then it is published once, at one time, and is what new dossiers get
    assert published.state == VersionState.PUBLISHED
    assert again.published_at == published.published_at
    assert form_version_current(procedure=procedure) == published
    assert list(LogEntry.objects.values_list("change_message", flat=True)) == ["Ban hành biểu mẫu v1"]


def test_a_published_version_cannot_be_edited(procedure):
    # given a published version
    published = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))
    before = counts()

    # when an editor that still had it open saves over it
    with pytest.raises(PublishedVersionImmutable, match="Phiên bản biểu mẫu đã ban hành không được sửa"):
        form_version_update(version=published, schema=birth_form("Tên khác"), actor=UserFactory(province_admin=True))

    # then it is unchanged, and nothing was written
    published.refresh_from_db()
    assert published.schema == birth_form()
    assert counts() == before


def test_saving_after_publishing_starts_a_new_version(procedure):
    # given version 1 published
    v1 = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))

    # when the admin saves a change
    v2 = form_draft_save(procedure=procedure, schema=birth_form("Họ, chữ đệm và tên"))

    # then it is draft 2; version 1 (what filed dossiers pin) is untouched and still current
    assert (v2.number, v2.state) == (2, VersionState.DRAFT)
    v1.refresh_from_db()
    assert v1.schema == birth_form()
    assert form_version_current(procedure=procedure) == v1
    assert form_draft_get(procedure=procedure) == v2


def test_clone_makes_a_draft_copy_and_only_one_draft_at_a_time(procedure):
    # given version 1 published
    v1 = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))

    # when it is cloned
    v2 = form_version_clone(version=v1, actor=UserFactory(province_admin=True))

    # then the copy is a draft with the same content, and a second clone is refused
    assert (v2.number, v2.state, v2.schema) == (2, VersionState.DRAFT, v1.schema)
    before = counts()
    with pytest.raises(DraftAlreadyExists) as refused:
        form_version_clone(version=v1)
    assert str(refused.value) == "Biểu mẫu đã có một bản nháp (phiên bản 2); hãy sửa bản nháp đó."
    assert counts() == before


def test_the_copy_does_not_share_the_schema_of_its_source(procedure):
    # given a clone
    v1 = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))
    v2 = form_version_clone(version=v1)

    # when the draft is edited
    changed = v2.schema
    changed["steps"][0]["title"] = "Người đi khai"
    form_version_update(version=v2, schema=changed)

    # then the published version still reads as published
    v1.refresh_from_db()
    assert v1.schema["steps"][0]["title"] == "Nguoi khai"


def test_publishing_checks_again_against_the_procedure(procedure):
    # given a draft whose file field names a component that was then removed from the procedure
    draft = form_draft_save(procedure=procedure, schema=birth_form())
    procedure.components.filter(name="Tờ khai đăng ký khai sinh").delete()

    # when
    with pytest.raises(InvalidForm) as refused:
        form_version_publish(version=draft)

    # then it stays a draft
    assert refused.value.errors == [
        "Bước 2, trường “to_khai”: thủ tục không có thành phần hồ sơ “Tờ khai đăng ký khai sinh”."
    ]
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_export_then_import_gives_the_same_definition(procedure):
    # given a published version
    v1 = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))

    # when it is exported and imported into another procedure with the same component
    exported = form_export(version=v1)
    other = ProcedureFactory(code="1.004884", name="Đăng ký lại khai sinh")
    ComponentFactory(procedure=other, name="Tờ khai đăng ký khai sinh")
    imported = form_import(procedure=other, raw=exported.encode(), actor=UserFactory(province_admin=True))

    # then the draft is identical, and exporting it gives the same text
    assert imported.schema == v1.schema
    assert form_export(version=imported) == exported
    assert json.loads(exported) == birth_form()
    assert "Họ và tên" in exported  # readable UTF-8, not \\u escapes
    assert LogEntry.objects.get().change_message == "Nhập biểu mẫu từ tệp JSON vào bản nháp v1"


def test_import_replaces_the_draft(procedure):
    # given a draft
    draft = form_draft_save(procedure=procedure, schema=birth_form())

    # when a file is imported
    imported = form_import(procedure=procedure, raw=json.dumps(birth_form("Tên")).encode())

    # then
    assert imported.pk == draft.pk
    assert imported.schema["steps"][0]["fields"][0]["label"] == "Tên"


def five_megabytes():
    return b'{"steps": [' + b" " * 5_000_000 + b"]}"


def cycle():
    schema = birth_form()
    schema["steps"][0]["fields"][0]["visible_if"] = {"field": "ngay_sinh", "op": "filled"}
    schema["steps"][0]["fields"][1]["visible_if"] = {"field": "ho_ten", "op": "filled"}
    return json.dumps(schema).encode()


def unknown_type():
    schema = birth_form()
    schema["steps"][0]["fields"][0]["type"] = "chu_ky_so"
    return json.dumps(schema).encode()


def missing_field():
    schema = birth_form()
    schema["steps"][1]["visible_if"] = {"field": "gioi_tinh", "op": "equals", "value": "nam"}
    return json.dumps(schema).encode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"steps": [\n  {"key": "a",, "title": "A"}\n]}',
         "Tệp JSON sai cú pháp ở dòng 2, cột 15: tên thuộc tính phải đặt trong dấu nháy kép."),
        (b'{"steps": [}', "Tệp JSON sai cú pháp ở dòng 1, cột 12: thiếu giá trị."),
        (b'{"steps": []', "Tệp JSON sai cú pháp ở dòng 1, cột 13: thiếu dấu phẩy."),
        (b"", "Tệp JSON sai cú pháp ở dòng 1, cột 1: thiếu giá trị."),
        (b'{"steps": [], "steps": []}', "Tệp JSON có khóa “steps” lặp lại trong cùng một đối tượng."),
        (b'{"steps": [NaN]}', "Tệp JSON chứa giá trị “NaN”, không phải JSON hợp lệ."),
        ("{\"tiêu đề\": 1}".encode("utf-16"), "Tệp không phải văn bản UTF-8 (lỗi ở byte thứ 0)."),
        (b"[1, 2]", "Biểu mẫu phải là một đối tượng JSON có danh sách các bước (“steps”)."),
        (b"[" * 100_000 + b"]" * 100_000, "Biểu mẫu lồng nhau quá sâu (quá 40 cấp)."),
        (five_megabytes(), "Tệp quá lớn (5 MB); giới hạn là 2 MB."),
        (unknown_type(), "Bước 1, trường “ho_ten”: loại trường “chu_ky_so” không được hỗ trợ."),
        (missing_field(), "Bước 2, điều kiện hiển thị: trường “gioi_tinh” không tồn tại."),
        (cycle(), "Điều kiện hiển thị tạo thành vòng lặp: trường “ho_ten” → trường “ngay_sinh” → trường “ho_ten”."),
    ],
    ids=["syntax", "missing value", "missing comma", "empty file", "duplicate key", "NaN", "UTF-16", "a list",
         "deep nesting", "5 MB", "unknown field type", "rule to a missing field", "cycle"],
)  # fmt: skip
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(procedure, raw, message):
    # given a draft already there
    draft = form_draft_save(procedure=procedure, schema=birth_form())
    before = counts()

    # when the file is imported
    with pytest.raises(InvalidForm) as refused:
        form_import(procedure=procedure, raw=raw, actor=UserFactory(province_admin=True))

    # then
    assert refused.value.errors == [message]
    assert counts() == before
    draft.refresh_from_db()
    assert draft.schema == birth_form()


def test_a_five_megabyte_file_is_refused_before_it_is_read(procedure, monkeypatch):
    # given a parser that must not be reached
    def fail(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr("eforms.services.json.loads", fail)

    # when / then
    with pytest.raises(InvalidForm, match="Tệp quá lớn"):
        form_import(procedure=procedure, raw=five_megabytes())
    assert counts() == (0, 0, 0)


def test_selectors(procedure):
    # given versions 1 and 2 published and a draft 3
    v1 = form_version_publish(version=form_draft_save(procedure=procedure, schema=birth_form()))
    v2 = form_version_publish(version=form_version_clone(version=v1))
    v3 = form_version_clone(version=v2)

    # then
    assert form_version_current(procedure=procedure) == v2
    assert form_version_get(pk=v1.pk) == v1
    assert form_draft_get(procedure=procedure) == v3
    assert form_version_current(procedure=ProcedureFactory()) is None
    with pytest.raises(FormVersionNotFound, match="Không tìm thấy phiên bản biểu mẫu."):
        form_version_get(pk=v3.pk + 1)
