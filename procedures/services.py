"""Writes to the catalogue."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .exceptions import ImportRejected
from .models import Agency, DossierComponent, Fee, Procedure, Sector
from .serializers import ProcedureRowSerializer

FEE_FIELDS = ("name", "amount", "unit", "online_discount_percent", "note", "optional", "quantity_field")
COMPONENT_FIELDS = ("name", "required", "original_copies", "copies", "template_name", "reusable")
SCALAR_FIELDS = (
    "name", "online_level", "partial_reason", "channels", "time_limit_value", "time_limit_unit",
    "online_time_limit_value", "same_day_rule", "time_limit_note", "applicant_types", "result_document",
    "legal_basis", "conditions", "steps", "popularity",
)  # fmt: skip


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def procedure_to_row(procedure: Procedure) -> dict[str, Any]:
    """The import/export representation of a procedure (expects fees, components, agencies prefetched)."""
    row: dict[str, Any] = {"code": procedure.code}
    row.update({name: getattr(procedure, name) for name in SCALAR_FIELDS})
    row["sector"] = procedure.sector.code
    row["implementing_agencies"] = sorted(a.code for a in procedure.implementing_agencies.all())
    row["fees"] = [{f: getattr(fee, f) for f in FEE_FIELDS} for fee in procedure.fees.all()]
    row["components"] = [{f: getattr(c, f) for f in COMPONENT_FIELDS} for c in procedure.components.all()]
    row["published"] = procedure.is_published
    return row


def procedures_for_export() -> list[Procedure]:
    return list(
        Procedure.objects.select_related("sector")
        .prefetch_related(
            Prefetch("fees", queryset=Fee.objects.order_by("order", "id")),
            Prefetch("components", queryset=DossierComponent.objects.order_by("order", "id")),
            "implementing_agencies",
        )
        .order_by("code")
    )


def _validate_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    context = {
        "sector_codes": set(Sector.objects.values_list("code", flat=True)),
        "agency_codes": set(Agency.objects.values_list("code", flat=True)),
    }
    valid: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        label = _("Bản ghi %(n)s") % {"n": index}
        code = str(row.get("code", "")).strip()
        if code:
            label += f" ({code})"
        if code in seen:
            errors.append(f"{label}: " + _("mã thủ tục trùng với bản ghi %(n)s.") % {"n": seen[code]})
            continue
        if code:
            seen[code] = index
        serializer = ProcedureRowSerializer(data=row, context=context)
        if not serializer.is_valid():
            for field_path, message in _flatten(serializer.errors):
                errors.append(f"{label}: {_field_label(field_path)}: {message}")
            continue
        valid.append(dict(serializer.validated_data))
    return valid, errors


def _field_label(path: str) -> str:
    """ "fees[2].amount" -> "Phí, lệ phí thứ 2 – mức thu (đồng) (fees[2].amount)"."""
    head, _sep, rest = path.partition("[")
    model_fields = {f.name: f for f in Procedure._meta.get_fields() if hasattr(f, "verbose_name")}
    labels = {**{name: str(f.verbose_name) for name, f in model_fields.items()}, "sector": _("lĩnh vực"),
              "published": _("đã công bố"), "fees": _("phí, lệ phí"), "components": _("thành phần hồ sơ")}  # fmt: skip
    label = str(labels.get(head, head))
    if rest:
        index, _sep, sub = rest.partition("]")
        child_model = Fee if head == "fees" else DossierComponent
        sub = sub.lstrip(".")
        child = {f.name: str(f.verbose_name) for f in child_model._meta.get_fields() if hasattr(f, "verbose_name")}
        label = f"{label} thứ {index}" + (f" – {child.get(sub, sub)}" if sub else "")
    return f"{label[:1].upper()}{label[1:]} ({path})"


def _flatten(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    """DRF's nested error structure as (field path, message) pairs."""
    if isinstance(errors, dict):
        out: list[tuple[str, str]] = []
        for key, value in errors.items():
            path = key if key != "non_field_errors" else ""
            out.extend(_flatten(value, f"{prefix}.{path}" if prefix and path else prefix or path))
        return out
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return [(prefix or "-", " ".join(str(e) for e in errors))]
    if isinstance(errors, list):
        out = []
        for i, item in enumerate(errors, start=1):
            if item:
                out.extend(_flatten(item, f"{prefix}[{i}]"))
        return out
    return [(prefix or "-", str(errors))]


@transaction.atomic
def procedures_import(*, rows: list[dict[str, Any]]) -> ImportReport:
    """Create or update procedures from validated rows, all or nothing.

    Every row is validated first; if any is rejected, nothing is written and
    ImportRejected lists every problem. A row equal to what is stored is left untouched,
    so importing the same file twice changes nothing (not even `updated_at`).
    """
    valid, errors = _validate_rows(rows)
    if errors:
        raise ImportRejected(errors)
    sectors = {s.code: s for s in Sector.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    existing = {p.code: p for p in procedures_for_export() if p.code in {r["code"] for r in valid}}
    report = ImportReport()
    for data in valid:
        code = data["code"]
        current = existing.get(code)
        if current is not None and _same(procedure_to_row(current), data):
            report.unchanged.append(code)
            continue
        procedure = current or Procedure(code=code)
        for name in SCALAR_FIELDS:
            setattr(procedure, name, data[name])
        procedure.sector = sectors[data["sector"]]
        procedure.is_published = data["published"]
        procedure.full_clean(validate_unique=False)
        procedure.save()
        procedure.implementing_agencies.set([agencies[c] for c in data["implementing_agencies"]])
        procedure.fees.all().delete()
        Fee.objects.bulk_create(
            Fee(procedure=procedure, order=i, **{f: fee[f] for f in FEE_FIELDS}) for i, fee in enumerate(data["fees"])
        )
        procedure.components.all().delete()
        DossierComponent.objects.bulk_create(
            DossierComponent(procedure=procedure, order=i, **{f: c[f] for f in COMPONENT_FIELDS})
            for i, c in enumerate(data["components"])
        )
        (report.updated if current else report.created).append(code)
    return report


def _same(stored: dict[str, Any], incoming: dict[str, Any]) -> bool:
    incoming = {**incoming, "implementing_agencies": sorted(incoming["implementing_agencies"])}
    incoming["fees"] = [dict(f) for f in incoming["fees"]]
    incoming["components"] = [dict(c) for c in incoming["components"]]
    return all(stored[key] == incoming[key] for key in stored)


@transaction.atomic
def reference_data_load(*, sectors: list[dict[str, str]], agencies: list[dict[str, Any]]) -> None:
    """Upsert sectors and agencies (parents before children, as listed). Idempotent."""
    for sector in sectors:
        Sector.objects.update_or_create(code=sector["code"], defaults={"name": sector["name"]})
    for item in agencies:
        parent = Agency.objects.get(code=item["parent"]) if item.get("parent") else None
        Agency.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "level": item["level"], "parent": parent}
        )
