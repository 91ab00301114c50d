"""Who may use the province's administration pages (console, e-forms, workflows, indicator rules)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from .models import User


def is_province_admin(user: object) -> bool:
    """An active province admin, or a superuser."""
    return isinstance(user, User) and user.is_active and (user.is_province_admin or user.is_superuser)


def province_admin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors go to sign-in; anyone else who is not a province admin gets the 403 page,
    before the view's other checks (so a POST-only address answers 403, not 405, and tells a
    stranger nothing about it)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_province_admin(request.user):
            raise PermissionDenied(_("Trang này chỉ dành cho quản trị cấp tỉnh."))
        return view(request, *args, **kwargs)

    return login_required(checked)


def acting_admin(request: HttpRequest) -> User:
    """The province admin behind a request that province_admin_required let through."""
    user = request.user
    assert isinstance(user, User)
    return user
