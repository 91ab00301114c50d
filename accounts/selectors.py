"""Reads about users: above all, which agencies' work an officer may see."""

from django.db.models import QuerySet
from vietnam_provinces import Province, ProvinceCode, Ward

from procedures.models import Procedure
from procedures.selectors import agency_descendant_ids, procedure_list

from .models import User


def user_agency_scope(*, user: User) -> set[int] | None:
    """Agency ids whose work the user may see: None means every agency (province admin).

    Officers see their agencies and the sub-agencies below them; anyone else sees none.
    """
    if user.is_province_admin or user.is_superuser:
        return None
    if not user.is_officer:
        return set()
    own = user.memberships.values_list("agency_id", flat=True)
    return agency_descendant_ids(agency_ids=own)


def procedure_list_for_officer(*, user: User) -> QuerySet[Procedure]:
    """Published and draft procedures implemented by the agencies in the user's scope."""
    scope = user_agency_scope(user=user)
    qs = procedure_list(published_only=False)
    if scope is None:
        return qs
    return qs.filter(implementing_agencies__in=scope).distinct()


def province_choices() -> list[tuple[int, str]]:
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    return [(int(p.code), p.name) for p in provinces]


def ward_choices(*, province_code: int) -> list[tuple[int, str]]:
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        return []
    return [(int(w.code), w.name) for w in Ward.iter_by_province(code)]


def ward_belongs_to(*, ward_code: int, province_code: int) -> bool:
    try:
        return int(Ward.from_code(ward_code).province_code) == province_code  # type: ignore[arg-type]
    except (ValueError, KeyError):
        return False


def user_address_text(*, user: User) -> str:
    """The user's address on one line: street, ward, province ("" when none is stored)."""
    parts = [user.address]
    if user.ward_code and user.province_code:
        parts.append(dict(ward_choices(province_code=user.province_code)).get(user.ward_code, ""))
    if user.province_code:
        parts.append(dict(province_choices()).get(user.province_code, ""))
    return ", ".join(part for part in parts if part)
