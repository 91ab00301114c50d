"""Prefill, "provide once": a field may name where its value comes from before the applicant types.

A field declares `"prefill": "<source>.<attribute>"` (form.schema.json). Sources are registered by
the apps that know them, like Open Forms' plugin registries:

    register(PrefillSource(name="profile", ...))      # in an AppConfig.ready()
    prefill_errors(schema) -> list[str]               # unknown names, checked when a form is saved
    prefill_values(version=..., user=...) -> PrefillValues

`prefill_values` asks each source the form uses once, converts the answers to the field's clean
value (dates to ISO, gender to the field's own option, an address to the address field's parts)
and keeps only values the field's own checks accept. A source that fails gives nothing: the
applicant types the value. `PrefillValues.origins` says, per field key, where a value came from
when the source vouches for it (the population registry, a VNeID-verified profile); the renderer
shows that next to the field. `PrefillValues.locked` are the keys whose value a source confirms
(the population registry): the renderer shows them read-only and the server keeps the source's
value whatever is posted.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User

from .constants import FieldType
from .fields import FieldError, build_cleaner, parse_date
from .models import FormVersion

logger = logging.getLogger(__name__)

MALE = "male"
FEMALE = "female"
# Option values (lower case, or labels) that mean the same gender in the forms provinces write.
_GENDER_OPTIONS = {
    MALE: {"male", "nam", "m", "1"},
    FEMALE: {"female", "nu", "nữ", "f", "2"},
}
# What a field may receive: value-holding types only (a table, a file or a heading never).
PREFILLABLE_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.TEXTAREA,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.MONEY,
        FieldType.DATE,
        FieldType.SELECT,
        FieldType.RADIO,
        FieldType.YES_NO,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.CITIZEN_ID,
        FieldType.TAX_CODE,
        FieldType.ADDRESS,
    }
)


@dataclass(frozen=True)
class PrefillSource:
    """A named source of values about the signed-in user.

    fetch(user) -> {attribute: raw value} (missing or empty attributes left out; {} when the
    source cannot answer: it must not raise for an outside failure). vouched(user) -> the hint
    shown next to fields filled from it, or None when the value is only the user's own say-so.
    """

    name: str
    label: str | Promise
    attributes: Mapping[str, str | Promise]
    fetch: Callable[[User], Mapping[str, Any]]
    vouched: Callable[[User], str | None] = field(default=lambda user: None)
    confirms: bool = False  # its values are authoritative: the applicant cannot change them


_registry: dict[str, PrefillSource] = {}


def register(source: PrefillSource) -> None:
    """Add (or replace, for tests and reloads) a source under its name."""
    _registry[source.name] = source


def sources() -> list[PrefillSource]:
    return sorted(_registry.values(), key=lambda source: source.name)


def choices() -> list[tuple[str, str]]:
    """("profile.full_name", "Tài khoản – Họ và tên"), ... for the builder's list."""
    return [
        (f"{source.name}.{attribute}", f"{source.label} – {label}")
        for source in sources()
        for attribute, label in source.attributes.items()
    ]


def _split(name: str) -> tuple[PrefillSource | None, str]:
    source_name, _dot, attribute = name.partition(".")
    source = _registry.get(source_name)
    if source is None or attribute not in source.attributes:
        return None, attribute
    return source, attribute


def _prefilled_fields(schema: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, step in enumerate(schema.get("steps", []), start=1):
        for spec in step.get("fields", []):
            if isinstance(spec, Mapping) and "prefill" in spec:
                yield index, spec


def prefill_errors(schema: Mapping[str, Any]) -> list[str]:
    """Every field whose `prefill` names no registered source attribute (run after the shape passed)."""
    errors = []
    for index, spec in _prefilled_fields(schema):
        name = spec["prefill"]
        source_name = name.partition(".")[0]
        source, _attribute = _split(name)
        if source is not None:
            continue
        where = _("Bước %(n)s, trường “%(key)s”") % {"n": index, "key": spec["key"]}
        known = _registry.get(source_name)
        if known is None:
            errors.append(
                _("%(where)s: nguồn điền sẵn “%(source)s” không có (các nguồn: %(known)s).")
                % {"where": where, "source": source_name, "known": ", ".join(s.name for s in sources())}
            )
        else:
            errors.append(
                _("%(where)s: nguồn “%(source)s” không có thông tin “%(name)s” (có: %(known)s).")
                % {
                    "where": where,
                    "source": source_name,
                    "name": name.partition(".")[2],
                    "known": ", ".join(known.attributes),
                }
            )
    return errors


class PrefillValues(dict[str, Any]):
    """Clean values by field key; `origins`: field key -> the hint saying who vouches for it;
    `locked`: the keys whose value the source confirms (read-only for the applicant)."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        origins: Mapping[str, str] | None = None,
        locked: Iterable[str] = (),
    ) -> None:
        super().__init__(values or {})
        self.origins: dict[str, str] = dict(origins or {})
        self.locked: set[str] = set(locked)

    def overlay(self, answers: Mapping[str, Any]) -> "PrefillValues":
        """These values under the user's own answers (a saved draft). A locked value stays the
        source's; an answer that differs from an unlocked prefilled value is the user's, so its
        origin hint goes."""
        merged = PrefillValues({**self, **answers, **{key: self[key] for key in self.locked}}, locked=self.locked)
        merged.origins = {key: hint for key, hint in self.origins.items() if merged.get(key) == self.get(key)}
        return merged


def prefill_values(*, version: FormVersion, user: User) -> PrefillValues:
    """Values for the fields of `version` that declare a prefill, for this user.

    Each source the form uses is asked once (the population registry is cached per user, see
    eforms.prefill_sources). A value the field would refuse (a gender with no matching option,
    a phone number in another format) is left out, never shown half-right.
    """
    result = PrefillValues()
    if not user.is_authenticated:
        return result
    fetched: dict[str, Mapping[str, Any]] = {}
    for _index, spec in _prefilled_fields(version.schema):
        source, attribute = _split(spec["prefill"])
        if source is None or spec["type"] not in PREFILLABLE_TYPES:
            continue
        if source.name not in fetched:
            fetched[source.name] = source.fetch(user)
        raw = fetched[source.name].get(attribute)
        if raw in (None, "", {}):
            continue
        value = convert(spec, raw)
        if value is None:
            continue
        result[spec["key"]] = value
        hint = source.vouched(user)
        if hint:
            result.origins[spec["key"]] = hint
        if source.confirms:
            result.locked.add(spec["key"])
    return result


def convert(spec: Mapping[str, Any], raw: Any) -> Any:
    """`raw` as the clean value of the field `spec`, or None if the field would not accept it."""
    field_type = spec["type"]
    value: Any = raw
    if isinstance(raw, dict) and field_type != FieldType.ADDRESS:
        value = raw.get("text") or None
    elif field_type == FieldType.ADDRESS and isinstance(raw, str):
        value = {"street": raw}
    elif field_type in (FieldType.SELECT, FieldType.RADIO) and raw in _GENDER_OPTIONS:
        value = _gender_option(spec, raw)
    elif field_type == FieldType.DATE:
        parsed = parse_date(raw)
        value = parsed.isoformat() if parsed else None
    elif field_type in (FieldType.TEXT, FieldType.TEXTAREA) and raw in _GENDER_OPTIONS:
        value = str(_("Nam") if raw == MALE else _("Nữ"))
    if value is None:
        return None
    try:
        return build_cleaner(spec)(value, {})
    except FieldError:
        return None


def _gender_option(spec: Mapping[str, Any], gender: str) -> str | None:
    wanted = _GENDER_OPTIONS[gender]
    for option in spec.get("options", []):
        if option["value"].lower() in wanted or option["label"].strip().lower() in wanted:
            return str(option["value"])
    return None


def log_unavailable(source: str, reason: str) -> None:
    logger.warning("prefill source %s unavailable: %s", source, reason)
