"""The prefill sources eforms registers itself (EformsConfig.ready): the user's own profile and the
national population registry (CSDLQG về dân cư, docs/stand-in-portal.md "Population registry")."""

import logging
from datetime import date
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.selectors import user_address_text

from .prefill import FEMALE, MALE, PrefillSource, log_unavailable, register

logger = logging.getLogger(__name__)

REGISTRY_CACHE_SECONDS = 600  # one visit to a form; a citizen's registry record rarely changes
REGISTRY_FAILURE_CACHE_SECONDS = 60  # a registry that is down is not asked again at every page
_TOKEN_CACHE_KEY = "eforms:prefill:dan_cu:token"  # noqa: S105 (a cache key, not a secret)


# --- profile --------------------------------------------------------------------------------


def _profile(user: User) -> dict[str, Any]:
    address = _profile_address(user)
    values: dict[str, Any] = {
        "full_name": user.full_name,
        "citizen_id": user.citizen_id,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
        "gender": user.gender,
        "phone": user.phone,
        "email": user.email,
        "address": address,
        "province_code": user.province_code,
        "ward_code": user.ward_code,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


def _profile_address(user: User) -> dict[str, Any] | None:
    if not (user.address or user.province_code):
        return None
    return {
        "province_code": user.province_code,
        "ward_code": user.ward_code,
        "street": user.address,
        "text": user_address_text(user=user),
    }


def _profile_vouched(user: User) -> str | None:
    return _("Lấy từ tài khoản định danh điện tử (VNeID)") if user.is_vneid_verified else None


PROFILE = PrefillSource(
    name="profile",
    label=gettext_lazy("Tài khoản người nộp"),
    attributes={
        "full_name": gettext_lazy("Họ và tên"),
        "citizen_id": gettext_lazy("Số định danh cá nhân"),
        "date_of_birth": gettext_lazy("Ngày sinh"),
        "gender": gettext_lazy("Giới tính"),
        "phone": gettext_lazy("Số điện thoại"),
        "email": gettext_lazy("Thư điện tử"),
        "address": gettext_lazy("Địa chỉ"),
        "province_code": gettext_lazy("Mã tỉnh, thành phố"),
        "ward_code": gettext_lazy("Mã xã, phường"),
    },
    fetch=_profile,
    vouched=_profile_vouched,
)


# --- population registry ----------------------------------------------------------------------


class RegistryUnavailable(Exception):
    pass


def _token() -> str:
    token = cache.get(_TOKEN_CACHE_KEY)
    if token:
        return str(token)
    response = requests.post(
        settings.POPULATION_REGISTRY_TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.POPULATION_REGISTRY_CLIENT_ID,
            "client_secret": settings.POPULATION_REGISTRY_CLIENT_SECRET,
        },
        timeout=settings.POPULATION_REGISTRY_TIMEOUT_SECONDS,
    )
    if response.status_code != 200:
        raise RegistryUnavailable(f"token endpoint answered {response.status_code}")
    body = response.json()
    token = body["access_token"]
    lifetime = int(body.get("expires_in", 3600))
    cache.set(_TOKEN_CACHE_KEY, token, max(lifetime - 60, 1))
    return str(token)


def registry_get(url: str) -> dict[str, Any]:
    """GET one record from the data-sharing platform with the registry's token (renewed once when
    it expired early): the JSON object, {} for a record it does not hold; RegistryUnavailable
    when it cannot answer. The population registry and the sector databases (Resolution 66.7,
    dossiers/replacements) are read through it."""
    try:
        response = requests.get(
            url,
            headers={"Authorization": f"Bearer {_token()}"},
            timeout=settings.POPULATION_REGISTRY_TIMEOUT_SECONDS,
        )
        if response.status_code == 401:  # the cached token expired early: one fresh try
            cache.delete(_TOKEN_CACHE_KEY)
            response = requests.get(
                url,
                headers={"Authorization": f"Bearer {_token()}"},
                timeout=settings.POPULATION_REGISTRY_TIMEOUT_SECONDS,
            )
        if response.status_code == 404:
            return {}
        if response.status_code != 200:
            raise RegistryUnavailable(f"{url} answered {response.status_code}")
        body = response.json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise RegistryUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return body if isinstance(body, dict) else {}


def _registry_record(citizen_id: str) -> dict[str, Any]:
    """The registry's answer for one citizen ({} if it does not know them); RegistryUnavailable otherwise."""
    body = registry_get(f"{settings.POPULATION_REGISTRY_URL.rstrip('/')}/congdan/{citizen_id}")
    return body if body.get("error_code") == "0" else {}


def _registry_values(body: dict[str, Any]) -> dict[str, Any]:
    born = str(body.get("NgaySinh", ""))
    birth: str | None = None
    if len(born) == 8 and born.isdigit():
        try:
            birth = date(int(born[:4]), int(born[4:6]), int(born[6:])).isoformat()
        except ValueError:
            birth = None
    gender = {"1": MALE, "2": FEMALE}.get(str(body.get("GioiTinh", "")))
    values: dict[str, Any] = {
        "SoDinhDanh": body.get("SoDinhDanh"),
        "HoVaTen": body.get("HoVaTen"),
        "NgaySinh": birth,
        "GioiTinh": gender,
        "NoiThuongTru": body.get("NoiThuongTru"),
        "QueQuan": body.get("QueQuan"),
        "DanToc": body.get("DanToc"),
        "QuocTich": body.get("QuocTich"),
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


def registry_person(citizen_id: str) -> dict[str, Any]:
    """What the registry holds about one id number, in our names (HoVaTen, NgaySinh as ISO date,
    ...); {} if it does not know the number; RegistryUnavailable when it cannot answer. Not cached."""
    return _registry_values(_registry_record(citizen_id))


def _population_registry(user: User) -> dict[str, Any]:
    """Only for a user whose citizen id we hold (set on the profile or proven by VNeID);
    cached per user for REGISTRY_CACHE_SECONDS; {} (logged) when the registry fails."""
    if not user.citizen_id:
        return {}
    key = f"eforms:prefill:dan_cu:{user.pk}:{user.citizen_id}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    try:
        values = _registry_values(_registry_record(user.citizen_id))
    except RegistryUnavailable as exc:
        log_unavailable("dan_cu", str(exc))
        cache.set(key, {}, REGISTRY_FAILURE_CACHE_SECONDS)
        return {}
    cache.set(key, values, REGISTRY_CACHE_SECONDS)
    return values


POPULATION_REGISTRY = PrefillSource(
    name="dan_cu",
    label=gettext_lazy("CSDLQG về dân cư"),
    attributes={
        "HoVaTen": gettext_lazy("Họ và tên"),
        "SoDinhDanh": gettext_lazy("Số định danh cá nhân"),
        "NgaySinh": gettext_lazy("Ngày sinh"),
        "GioiTinh": gettext_lazy("Giới tính"),
        "NoiThuongTru": gettext_lazy("Nơi thường trú"),
        "QueQuan": gettext_lazy("Quê quán"),
        "DanToc": gettext_lazy("Dân tộc"),
        "QuocTich": gettext_lazy("Quốc tịch"),
    },
    fetch=_population_registry,
    vouched=lambda user: _("Lấy từ Cơ sở dữ liệu quốc gia về dân cư"),
    confirms=True,
)


def register_builtin_sources() -> None:
    register(PROFILE)
    register(POPULATION_REGISTRY)
