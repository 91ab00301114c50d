"""E-form speed: saving a big definition, rendering a step, validating a big submission.

    python bench/eforms.py [--repeat 50] [--fields 150] [--steps 6] [--rules 40]
        [--submission-fields 200] [--database-url URL] [--drop]

What it does, in one run:

1. Picks the database: PostgreSQL when --database-url (default: the DATABASE_URL environment
   variable, as the test settings read it) is a postgres:// URL; the benchmark then works in a
   database of its own on that server (`dvctt_bench_eforms` unless the URL already names a
   "bench" database: it is wiped), created if missing and migrated. Without a PostgreSQL URL
   it uses SQLite, as the test settings do without DATABASE_URL, in a throwaway file (never
   the repository's db.sqlite3). The first lines say which.
2. Builds a definition of N fields (columns of a table counted) in S steps with R rules
   (visible_if on fields and steps, and cross-field checks): every field type, realistic
   Vietnamese labels and options; and a second definition of M fields with a complete,
   valid submission for it (values sent for hidden fields too, which must be dropped).
3. Times, interleaved so that machine noise hits every series alike, the median of:
   - save: `form_draft_save` (JSON Schema + semantic checks + insert of the definition and
     its draft, with the procedure's components looked up), in a transaction rolled back;
     baseline: inserting the same JSON as a FormVersion without any check;
   - render: `build_step_form` + `str(form)` for the step with the most field types;
     baseline: a plain Django form with as many CharFields, rendered;
   - validate: `validate_submission` of the M-field submission (the form compiled once, as
     in a running server; the SHA-256 lookup of the compiled form is inside the timing);
     baseline: a plain Django form with M CharFields, bound and `is_valid()`;
   - and `json.dumps` of the definition, the cheapest thing one can do with it.
4. Checks while measuring: the definition is valid, the submission has no errors, every
   visible field has its value and no hidden one has; otherwise exit 1, no RESULT line.
5. Prints the medians (and p95), the ratios to the baselines, and as the last line
   `RESULT eform_save_150_fields_ms <median save ms>`.

Targets (issue 3): save under 50 ms, a 200-field validation under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchkit import (  # bench/ is on sys.path: the scripts run as `python bench/<name>.py`
    POSTGRES_SCHEMES,
    Timings,
    create_database_if_missing,
    database_name,
    drop_database,
    reset_schema,
    setup_django,
    timed,
)

SEED = 20_261_123
BENCH_DATABASE = "dvctt_bench_eforms"

# --- the definitions -----------------------------------------------------------------------------

SIMPLE_TYPES = (
    "text", "date", "select", "phone", "integer", "radio", "email", "textarea", "citizen_id", "money",
    "checkboxes", "decimal", "tax_code", "yes_no", "address", "text", "date", "select",
)  # fmt: skip
LABELS = {
    "text": ("Họ, chữ đệm và tên", "Nơi sinh", "Quê quán", "Nghề nghiệp", "Tên cơ quan, đơn vị"),
    "date": ("Ngày sinh", "Ngày cấp", "Ngày đăng ký", "Ngày bắt đầu"),
    "select": ("Dân tộc", "Quốc tịch", "Tôn giáo", "Trình độ học vấn"),
    "radio": ("Giới tính", "Tình trạng hôn nhân", "Hình thức nhận kết quả"),
    "checkboxes": ("Giấy tờ kèm theo", "Phương thức liên hệ"),
    "yes_no": ("Có yếu tố nước ngoài", "Đã từng đăng ký", "Có người đại diện"),
    "integer": ("Số bản sao", "Số con", "Số người trong hộ"),
    "decimal": ("Diện tích (m²)", "Chiều dài (m)"),
    "money": ("Giá trị hợp đồng (đồng)", "Thu nhập bình quân (đồng)"),
    "email": ("Thư điện tử",),
    "phone": ("Số điện thoại di động",),
    "citizen_id": ("Số định danh cá nhân",),
    "tax_code": ("Mã số thuế",),
    "address": ("Nơi thường trú", "Nơi ở hiện tại"),
    "textarea": ("Lý do", "Nội dung đề nghị"),
}
OPTIONS = [
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na",
    "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
]  # fmt: skip
FIRST_DATE = date(1950, 1, 1)


def _options(count: int) -> list[dict[str, str]]:
    return [
        {"value": f"lc{i}", "label": OPTIONS[i % len(OPTIONS)] + ("" if i < len(OPTIONS) else f" {i}")}
        for i in range(count)
    ]


def _field(field_type: str, key: str, index: int, rng: random.Random) -> dict[str, Any]:
    label = rng.choice(LABELS[field_type])
    spec: dict[str, Any] = {"key": key, "type": field_type, "label": label, "required": rng.random() < 0.6}
    if rng.random() < 0.3:
        spec["help_text"] = f"Ghi đúng như trên giấy tờ tùy thân ({label.lower()})."
    if field_type == "text":
        spec["max_length"] = 200
        if rng.random() < 0.2:
            spec["pattern"] = r"[\w .,'-]+"
    elif field_type == "date":
        spec.update(min="1900-01-01", max="today")
    elif field_type in ("select", "radio", "checkboxes"):
        spec["options"] = _options({"select": 20, "radio": 3, "checkboxes": 5}[field_type])
        if field_type == "select":
            spec["placeholder"] = "— Chọn —"
    elif field_type == "integer":
        spec.update(min=0, max=100)
    elif field_type == "decimal":
        spec.update(min=0, decimal_places=2)
    elif field_type == "money":
        spec.update(min=0, max=10_000_000_000)
    elif field_type == "textarea":
        spec["max_length"] = 2000
    return spec


def build_definition(total: int, steps: int, rules: int, rng: random.Random) -> dict[str, Any]:
    """`total` fields (table columns included) in `steps` steps, with `rules` rules:
    about 3/4 visible_if on fields, one per step after the first on steps, the rest checks."""
    per_step = [total // steps + (1 if i < total % steps else 0) for i in range(steps)]
    document: dict[str, Any] = {"title": "Tờ khai thử nghiệm", "steps": [], "checks": []}
    counter = 0
    controllers: list[tuple[int, dict[str, Any]]] = []  # (step, yes_no/select/integer field) rules may read
    dates: list[str] = []
    for step_index, budget in enumerate(per_step):
        fields: list[dict[str, Any]] = []
        if step_index == 0:
            fields.append({"key": "tieu_de_1", "type": "heading", "label": "Thông tin người yêu cầu"})
            fields.append({"key": "huong_dan_1", "type": "help", "text": "Các trường có dấu * là bắt buộc."})
            budget -= 2
        if step_index == steps - 1:
            budget -= 2  # the file and the declaration below
        while budget > 0:
            counter += 1
            key = f"truong_{counter:03d}"
            if budget >= 4 and counter % 37 == 0:
                columns = [
                    {"key": f"{key}_ho_ten", "type": "text", "label": "Họ và tên", "required": True},
                    {"key": f"{key}_ngay_sinh", "type": "date", "label": "Ngày sinh"},
                    {"key": f"{key}_quan_he", "type": "select", "label": "Quan hệ", "options": _options(6)},
                ]
                fields.append(
                    {"key": key, "type": "repeating_group", "label": "Thành viên hộ gia đình", "fields": columns,
                     "max_rows": 20}
                )  # fmt: skip
                budget -= 4
                continue
            field_type = SIMPLE_TYPES[counter % len(SIMPLE_TYPES)]
            spec = _field(field_type, key, counter, rng)
            fields.append(spec)
            if field_type in ("yes_no", "select", "integer"):
                controllers.append((step_index, spec))
            if field_type == "date":
                dates.append(key)
            budget -= 1
        if step_index == steps - 1:
            fields.append(
                {"key": "giay_to_kem_theo", "type": "file", "label": "Bản sao giấy tờ", "component": 1,
                 "accept": ["application/pdf", "image/jpeg"], "max_size_mb": 10}
            )  # fmt: skip
            fields.append(
                {"key": "cam_doan", "type": "declaration",
                 "label": "Tôi cam đoan nội dung khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật."}
            )  # fmt: skip
        document["steps"].append({"key": f"buoc_{step_index + 1}", "title": f"Bước {step_index + 1}", "fields": fields})

    step_rules = min(steps - 1, max(rules // 10, 1))
    check_rules = min(max(rules // 5, 1), len(dates) - 1)
    field_rules = rules - step_rules - check_rules
    # Steps after the first: shown when a yes/no of the first step is ticked (the data ticks it).
    first_yes_no = next(spec for step, spec in controllers if step == 0 and spec["type"] == "yes_no")
    for step in document["steps"][1 : 1 + step_rules]:
        step["visible_if"] = {"field": first_yes_no["key"], "op": "equals", "value": True}
    # Fields: each depends on a controller of its own or an earlier step (never a cycle).
    placed = 0
    candidates = [
        (step_index, spec)
        for step_index, step in enumerate(document["steps"])
        for spec in step["fields"]
        if spec["type"] not in ("heading", "help", "declaration", "file") and spec not in [c for _s, c in controllers]
    ]
    rng.shuffle(candidates)
    for step_index, spec in candidates:
        if placed == field_rules:
            break
        readable = [c for s, c in controllers if s <= step_index]
        if not readable:
            continue
        controller = rng.choice(readable)
        if placed % 5 == 4:  # the data fills every controller: this field stays hidden
            spec["visible_if"] = {"field": controller["key"], "op": "empty"}
        else:
            spec["visible_if"] = _condition(controller, rng, nested=placed % 4 == 0, readable=readable)
        placed += 1
    # Checks: an earlier date before a later one ("ngày sinh trước ngày đăng ký").
    for number in range(check_rules):
        document["checks"].append(
            {"assert": {"field": dates[number], "op": "lt", "other_field": dates[number + 1]},
             "message": "Ngày ở mục trước phải trước ngày ở mục sau."}
        )  # fmt: skip
    return document


def _condition(
    controller: dict[str, Any], rng: random.Random, *, nested: bool, readable: list[dict[str, Any]]
) -> dict[str, Any]:
    def leaf(spec: dict[str, Any]) -> dict[str, Any]:
        if spec["type"] == "yes_no":
            return {"field": spec["key"], "op": "equals", "value": True}
        if spec["type"] == "select":
            return {"field": spec["key"], "op": "in", "value": ["lc0", "lc1", "lc2"]}
        return {"field": spec["key"], "op": "gte", "value": 1}

    if not nested:
        return leaf(controller)
    other = rng.choice(readable)
    return {"all": [leaf(controller), {"any": [leaf(other), {"field": other["key"], "op": "filled"}]}]}


def valid_value(spec: dict[str, Any], index: int) -> Any:
    """A raw value that passes the field's checks (and opens the rules that read it)."""
    kind = spec["type"]
    values: dict[str, Any] = {
        "text": "Nguyễn Thị Minh Khai",
        "textarea": "Đề nghị cấp bản sao trích lục để bổ sung hồ sơ xin việc.",
        "integer": "3",
        "decimal": "120,5",
        "money": "1.500.000",
        "date": (FIRST_DATE + timedelta(days=97 * index)).isoformat(),
        "select": "lc1",
        "radio": "lc0",
        "checkboxes": ["lc0", "lc2"],
        "yes_no": "true",
        "email": "minhkhai@example.vn",
        "phone": "0912 345 678",
        "citizen_id": "001190012345",
        "tax_code": "0123456789-001",
        "address": {"province_code": "1", "ward_code": "4", "street": "12 phố Huế"},
        "file": "tep-0001",
        "declaration": "on",
    }
    if kind == "repeating_group":
        return [{column["key"]: valid_value(column, index + row) for column in spec["fields"]} for row in range(3)]
    return values[kind]


def submission_for(document: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, spec in enumerate(spec for step in document["steps"] for spec in step["fields"]):
        if spec["type"] not in ("heading", "help"):
            data[spec["key"]] = valid_value(spec, index)
    return data


# --- database --------------------------------------------------------------------------------------


def choose_database(url: str) -> tuple[str, str, Path | None]:
    """(database URL for the run, a description, a folder to delete at the end or None)."""
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        name = database_name(url)
        if "bench" not in name:
            url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}", query=""))
        return url, f"PostgreSQL, database {database_name(url)} on {parts.hostname}:{parts.port or 5432}", None
    folder = Path(tempfile.mkdtemp(prefix="dvctt-bench-eforms-"))
    path = folder / "bench.sqlite3"
    return f"sqlite:///{path}", f"SQLite, throwaway file {path} (no PostgreSQL DATABASE_URL given)", folder


# --- measuring -------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    database_url, description, folder = choose_database(args.database_url)
    print(f"database: {description}")
    on_postgres = folder is None
    if on_postgres:
        created = create_database_if_missing(database_url)
        print(f"database {database_name(database_url)}: {'created' if created else 'exists, schema reset'}")
        reset_schema(database_url)
    setup_django(database_url)

    from django import forms
    from django.core.management import call_command
    from django.db import connections, transaction

    from eforms.models import FormDefinition, FormVersion
    from eforms.rendering import build_step_form
    from eforms.schema import validate_schema
    from eforms.services import form_draft_save
    from eforms.validation import validate_submission
    from procedures.models import DossierComponent, Procedure, Sector

    elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {elapsed / 1000:.2f} s")

    sector = Sector.objects.create(code="HOTICH", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", sector=sector, time_limit_value=Decimal(1), is_published=True
    )
    DossierComponent.objects.create(procedure=procedure, name="Tờ khai đăng ký khai sinh")

    rng = random.Random(args.seed)
    definition = build_definition(args.fields, args.steps, args.rules, rng)
    big = build_definition(args.submission_fields, max(args.steps, args.submission_fields // 25), args.rules, rng)
    data = submission_for(big)
    field_count = sum(1 + len(f.get("fields", [])) for s in definition["steps"] for f in s["fields"])
    rule_count = sum("visible_if" in f for s in definition["steps"] for f in s["fields"])
    rule_count += sum("visible_if" in s for s in definition["steps"]) + len(definition["checks"])
    size = len(json.dumps(definition, ensure_ascii=False).encode())
    print(
        f"definition: {field_count} fields in {len(definition['steps'])} steps, {rule_count} rules, "
        f"{size / 1000:.1f} kB of JSON; submission form: "
        f"{sum(1 + len(f.get('fields', [])) for s in big['steps'] for f in s['fields'])} fields, "
        f"{len(data)} values sent"
    )

    failures: list[str] = []
    errors = validate_schema(definition) or validate_schema(big)
    if errors:
        failures.append(f"the generated definitions are invalid: {errors[:3]}")
    render_step = max(definition["steps"], key=lambda s: len({f["type"] for f in s["fields"]}))["key"]
    render_fields = len(build_step_form(definition, render_step).base_fields)
    plain_render = type(
        "PlainRender", (forms.Form,), {f"f{i}": forms.CharField(label=f"Trường {i}") for i in range(render_fields)}
    )
    plain_validate = type(
        "PlainValidate", (forms.Form,), {f"f{i}": forms.CharField(max_length=200) for i in range(len(data))}
    )
    plain_data = {f"f{i}": "Nguyễn Thị Minh Khai" for i in range(len(data))}

    def save() -> None:
        with transaction.atomic():
            form_draft_save(procedure=procedure, schema=definition)
            transaction.set_rollback(True)

    def save_baseline() -> None:
        with transaction.atomic():
            holder = FormDefinition.objects.create(procedure=procedure, name="x")
            FormVersion.objects.create(definition=holder, number=1, schema=definition)
            transaction.set_rollback(True)

    def render() -> str:
        return str(build_step_form(definition, render_step)())

    def validate() -> Any:
        return validate_submission(big, data)

    def validate_baseline() -> bool:
        return plain_validate(data=plain_data).is_valid()

    # Warm-up: imports, the JSON Schema loaded, forms compiled once (as in a running server), templates.
    for _round in range(3):
        save(), save_baseline(), render(), str(plain_render()), validate(), validate_baseline()

    result = validate()
    if not result.is_valid:
        failures.append(f"the valid submission was refused: {dict(list(result.errors.items())[:3])}")
    hidden = [k for k in data if k not in result.values]
    shown = len(result.values)
    print(f"check: {shown} values kept, {len(hidden)} sent for hidden fields and dropped")
    if shown + len(hidden) != len(data):
        failures.append("values and dropped values do not add up")

    series = {name: Timings() for name in ("save", "save_baseline", "render", "render_baseline", "validate",
                                           "validate_baseline", "json_dumps")}  # fmt: skip
    for _round in range(args.repeat):
        series["save"].samples.append(timed(save)[0])
        series["save_baseline"].samples.append(timed(save_baseline)[0])
        series["render"].samples.append(timed(render)[0])
        series["render_baseline"].samples.append(timed(lambda: str(plain_render()))[0])
        series["validate"].samples.append(timed(validate)[0])
        series["validate_baseline"].samples.append(timed(validate_baseline)[0])
        series["json_dumps"].samples.append(timed(lambda: json.dumps(definition, ensure_ascii=False))[0])

    print()
    labels = {
        "save": f"save {field_count} fields",
        "save_baseline": "  baseline: bare insert",
        "render": f"render step ({render_fields} f.)",
        "render_baseline": f"  baseline: {render_fields} CharFields",
        "validate": f"validate {len(data)} values",
        "validate_baseline": f"  baseline: {len(data)} CharFields",
        "json_dumps": "json.dumps(definition)",
    }
    for name, timings in series.items():
        print(timings.line(labels[name], width=28))
    median = {name: timings.percentile(50) for name, timings in series.items()}
    print(
        f"ratios (median): save/bare insert {median['save'] / median['save_baseline']:.1f}x, "
        f"render/plain form {median['render'] / median['render_baseline']:.1f}x, "
        f"validate/plain form {median['validate'] / median['validate_baseline']:.1f}x"
    )
    for name, target in (("save", 50.0), ("validate", 50.0)):
        verdict = "met" if median[name] < target else "MISSED"
        print(f"target {name} < {target:.0f} ms: {verdict} ({median[name]:.2f} ms)")

    connections.close_all()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    elif args.drop:
        drop_database(database_url)
        print(f"database {database_name(database_url)} dropped")

    if failures:
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1
    print(f"RESULT eform_save_150_fields_ms {median['save']:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=50, help="timed rounds (default 50)")
    parser.add_argument("--fields", type=int, default=150, help="fields of the saved definition (default 150)")
    parser.add_argument("--steps", type=int, default=6, help="its steps (default 6)")
    parser.add_argument("--rules", type=int, default=40, help="its rules (default 40)")
    parser.add_argument("--submission-fields", type=int, default=200, help="fields of the validated form (default 200)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server to use (default: DATABASE_URL; without it, a throwaway SQLite file)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="definition generator (default fixed)")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL benchmark database at the end")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.fields < 30 or args.submission_fields < 30:
        parser.error("--fields and --submission-fields must be at least 30")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
