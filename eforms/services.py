"""Writes to eforms: save drafts, publish, clone, import and export definitions."""

import copy
import json
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.audit import ADDITION, CHANGE, audit_log
from common.constants import VersionState
from common.versioning import next_version_number
from procedures.models import Procedure

from .constants import MAX_IMPORT_BYTES, MAX_NESTING, FieldType
from .exceptions import DraftAlreadyExists, InvalidForm, PublishedVersionImmutable
from .models import FormDefinition, FormVersion
from .prefill import prefill_errors
from .schema import format_megabytes, validate_schema


def form_problems(*, procedure: Procedure, schema: Any) -> list[str]:
    """Every reason a save of `schema` for `procedure` would be refused ([] if none); saves nothing."""
    errors = validate_schema(schema)
    if not errors:
        errors = prefill_errors(schema) + _component_errors(procedure=procedure, schema=schema)
    return errors


def _check(*, procedure: Procedure, schema: Any) -> None:
    """Raise InvalidForm with every problem; also that file fields name a component of the procedure."""
    errors = form_problems(procedure=procedure, schema=schema)
    if errors:
        raise InvalidForm(errors)


def _component_errors(*, procedure: Procedure, schema: Mapping[str, Any]) -> list[str]:
    files = [
        (index, field)
        for index, step in enumerate(schema["steps"], start=1)
        for field in step["fields"]
        if field["type"] == FieldType.FILE
    ]
    if not files:
        return []
    names = list(procedure.components.order_by("order", "id").values_list("name", flat=True))
    errors = []
    for index, field in files:
        component = field["component"]
        where = _("Bước %(n)s, trường “%(key)s”") % {"n": index, "key": field["key"]}
        if isinstance(component, int) and component > len(names):
            errors.append(
                _("%(where)s: thủ tục không có thành phần hồ sơ thứ %(n)s (thủ tục có %(count)s thành phần).")
                % {"where": where, "n": component, "count": len(names)}
            )
        elif isinstance(component, str) and component not in names:
            errors.append(
                _("%(where)s: thủ tục không có thành phần hồ sơ “%(name)s”.") % {"where": where, "name": component}
            )
    return errors


def _lock(definition: FormDefinition) -> None:
    """The definition row serialises its versions' writes: numbering and the one-draft rule."""
    FormDefinition.objects.select_for_update().filter(pk=definition.pk).first()


def _next_number(definition: FormDefinition) -> int:
    return next_version_number(definition.versions.all())


def _save_draft(*, procedure: Procedure, schema: dict[str, Any], name: str) -> tuple[FormVersion, bool]:
    _check(procedure=procedure, schema=schema)
    definition, _created = FormDefinition.objects.get_or_create(
        procedure=procedure, defaults={"name": name or f"Biểu mẫu {procedure.name}"[:255]}
    )
    _lock(definition)
    draft = definition.versions.filter(state=VersionState.DRAFT).first()
    if draft is None:
        return FormVersion.objects.create(definition=definition, number=_next_number(definition), schema=schema), True
    draft.schema = schema
    draft.save(update_fields=["schema"])
    return draft, False


@transaction.atomic
def form_draft_save(
    *, procedure: Procedure, schema: dict[str, Any], name: str = "", actor: User | None = None
) -> FormVersion:
    """Save the procedure's draft form (creating the definition and the draft if needed).

    The schema must be valid (InvalidForm lists every problem; nothing is saved). A published
    version is never touched: without a draft, the draft is a new version number. Saving the
    same schema twice leaves the same draft.
    """
    draft, created = _save_draft(procedure=procedure, schema=schema, name=name)
    if created:
        audit_log(actor=actor, obj=draft, action_flag=ADDITION, message=f"Tạo bản nháp biểu mẫu v{draft.number}")
    else:
        audit_log(actor=actor, obj=draft, action_flag=CHANGE, message=f"Sửa bản nháp biểu mẫu v{draft.number}")
    return draft


@transaction.atomic
def form_version_update(*, version: FormVersion, schema: dict[str, Any], actor: User | None = None) -> FormVersion:
    """Replace the schema of this very draft (what an editor opened).

    PublishedVersionImmutable if it was published meanwhile: the editor must clone it, never
    overwrite what dossiers were filed with. InvalidForm as for form_draft_save.
    """
    version = FormVersion.objects.select_for_update().select_related("definition__procedure").get(pk=version.pk)
    if version.state == VersionState.PUBLISHED:
        raise PublishedVersionImmutable()
    _check(procedure=version.definition.procedure, schema=schema)
    version.schema = schema
    version.save(update_fields=["schema"])
    audit_log(actor=actor, obj=version, action_flag=CHANGE, message=f"Sửa bản nháp biểu mẫu v{version.number}")
    return version


@transaction.atomic
def form_version_publish(*, version: FormVersion, actor: User | None = None) -> FormVersion:
    """Publish a draft: it becomes immutable and the one new dossiers are filled with. Idempotent.

    The schema is checked again (the procedure's components may have changed since it was saved).
    """
    version = FormVersion.objects.select_for_update().select_related("definition__procedure").get(pk=version.pk)
    if version.state == VersionState.PUBLISHED:
        return version
    _check(procedure=version.definition.procedure, schema=version.schema)
    version.state = VersionState.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["state", "published_at"])
    audit_log(actor=actor, obj=version, action_flag=CHANGE, message=f"Ban hành biểu mẫu v{version.number}")
    return version


@transaction.atomic
def form_version_clone(*, version: FormVersion, actor: User | None = None) -> FormVersion:
    """A new draft copied from any version (the way to change a published form).

    DraftAlreadyExists if the definition has a draft: there is one draft at a time.
    """
    definition = version.definition
    _lock(definition)
    existing = definition.versions.filter(state=VersionState.DRAFT).first()
    if existing is not None:
        raise DraftAlreadyExists(number=existing.number)
    number = _next_number(definition)
    source = FormVersion.objects.get(pk=version.pk)  # the stored schema, not an unsaved edit
    draft = FormVersion.objects.create(definition=definition, number=number, schema=copy.deepcopy(source.schema))
    audit_log(
        actor=actor, obj=draft, action_flag=ADDITION, message=f"Sao chép v{version.number} thành bản nháp v{number}"
    )
    return draft


def starter_schema(*, procedure: Procedure) -> dict[str, Any]:
    """What a brand-new form starts with: one step, one field, for the admin to change."""
    return {
        "title": f"Tờ khai {procedure.name}"[:255],
        "steps": [
            {
                "key": "thong_tin_chung",
                "title": "Thông tin chung",
                "fields": [{"key": "ho_ten", "type": "text", "label": "Họ và tên", "required": True}],
            }
        ],
    }


@transaction.atomic
def form_draft_start(*, procedure: Procedure, actor: User | None = None) -> FormVersion:
    """The procedure's draft to edit: the existing one, else a copy of the newest published
    version, else a starter form. Idempotent (a second call returns the same draft)."""
    definition = FormDefinition.objects.filter(procedure=procedure).first()
    if definition is not None:
        _lock(definition)
        draft = definition.versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            return draft
        newest = definition.versions.filter(state=VersionState.PUBLISHED).order_by("-number").first()
        if newest is not None:
            return form_version_clone(version=newest, actor=actor)
    return form_draft_save(procedure=procedure, schema=starter_schema(procedure=procedure), actor=actor)


def form_export(*, version: FormVersion) -> str:
    """The version's definition as indented JSON (UTF-8 text); form_import reads it back unchanged."""
    return json.dumps(version.schema, ensure_ascii=False, indent=2) + "\n"


@transaction.atomic
def form_import(*, procedure: Procedure, raw: bytes, actor: User | None = None) -> FormVersion:
    """Read a JSON file (as form_export writes it) into the procedure's draft.

    Refused with InvalidForm, nothing saved: a file over MAX_IMPORT_BYTES (before parsing),
    text that is not UTF-8, malformed JSON (with line and column), and anything
    form_draft_save refuses.
    """
    schema = parse_form_json(raw)
    draft, created = _save_draft(procedure=procedure, schema=schema, name="")
    audit_log(
        actor=actor,
        obj=draft,
        action_flag=ADDITION if created else CHANGE,
        message=f"Nhập biểu mẫu từ tệp JSON vào bản nháp v{draft.number}",
    )
    return draft


def parse_form_json(raw: bytes) -> dict[str, Any]:
    """A definition from a file's bytes; InvalidForm with a Vietnamese message otherwise."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidForm(
            [
                _("Tệp quá lớn (%(size)s MB); giới hạn là %(limit)s MB.")
                % {"size": format_megabytes(len(raw)), "limit": format_megabytes(MAX_IMPORT_BYTES)}
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidForm([_("Tệp không phải văn bản UTF-8 (lỗi ở byte thứ %(pos)s).") % {"pos": exc.start}]) from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise InvalidForm(
            [
                _("Tệp JSON sai cú pháp ở dòng %(line)s, cột %(col)s: %(reason)s.")
                % {"line": exc.lineno, "col": exc.colno, "reason": _json_reason(exc.msg)}
            ]
        ) from None
    except RecursionError:
        raise InvalidForm([_("Biểu mẫu lồng nhau quá sâu (quá %(n)s cấp).") % {"n": MAX_NESTING}]) from None
    except ValueError as exc:  # raised by the hooks below, already in Vietnamese
        raise InvalidForm([str(exc)]) from None
    if not isinstance(document, dict):
        raise InvalidForm([_("Biểu mẫu phải là một đối tượng JSON có danh sách các bước (“steps”).")])
    return document


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("Tệp JSON có khóa “%(key)s” lặp lại trong cùng một đối tượng.") % {"key": key})
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(_("Tệp JSON chứa giá trị “%(name)s”, không phải JSON hợp lệ.") % {"name": name})


_JSON_REASONS: dict[str, Promise] = {
    "Expecting value": gettext_lazy("thiếu giá trị"),
    "Expecting ',' delimiter": gettext_lazy("thiếu dấu phẩy"),
    "Expecting ':' delimiter": gettext_lazy("thiếu dấu hai chấm"),
    "Expecting property name enclosed in double quotes": gettext_lazy("tên thuộc tính phải đặt trong dấu nháy kép"),
    "Unterminated string starting at": gettext_lazy("chuỗi chưa đóng dấu nháy"),
    "Extra data": gettext_lazy("có nội dung thừa sau khi kết thúc"),
    "Invalid control character at": gettext_lazy("chuỗi chứa ký tự điều khiển"),
    "Invalid \\escape": gettext_lazy("ký tự thoát “\\” không hợp lệ"),
}


def _json_reason(message: str) -> str:
    for english, vietnamese in _JSON_REASONS.items():
        if message.startswith(english):
            return str(vietnamese)
    return _("không đọc được")
