from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import DomainError
from procedures.text import vietnamese_sort_key

from .forms import ProfileForm, RegistrationForm
from .selectors import procedure_list_for_officer, ward_choices
from .services import user_profile_update
from .vneid.client import vneid_authorize_redirect, vneid_identity_from_callback
from .vneid.services import VneidSignIn, user_sign_in_with_vneid

_VNEID_NEXT = "vneid_next"


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Đăng ký tài khoản thành công. Chào mừng %(name)s!") % {"name": user.full_name})
        return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, changes=form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Đã lưu thông tin tài khoản."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"profile_user": request.user, "form": form})


@require_POST
def vneid_login(request: HttpRequest) -> HttpResponse:
    """Start a login with VNeID; where to go afterwards waits in the session."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[_VNEID_NEXT] = next_url
    else:
        request.session.pop(_VNEID_NEXT, None)
    try:
        return vneid_authorize_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("accounts:vneid_callback"))
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:login")


@require_GET
def vneid_callback(request: HttpRequest) -> HttpResponse:
    """VNeID sends the browser back here with a code (or an error)."""
    try:
        identity = vneid_identity_from_callback(request)
        user, outcome = user_sign_in_with_vneid(identity=identity)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:login")
    next_url = request.session.pop(_VNEID_NEXT, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if outcome is VneidSignIn.CREATED:
        messages.success(
            request, _("Đã tạo tài khoản công dân theo định danh VNeID. Chào mừng %(name)s!") % {"name": user.full_name}
        )
    elif outcome is VneidSignIn.LINKED:
        messages.success(request, _("Tài khoản của bạn đã được liên kết và xác thực với VNeID."))
    else:
        messages.success(request, _("Đăng nhập bằng VNeID thành công."))
    if outcome is not VneidSignIn.SIGNED_IN:
        return redirect(next_url or "accounts:profile")
    return redirect(next_url or "home")


@require_GET
def wards(request: HttpRequest) -> JsonResponse:
    """Wards of a province for the cascading address select."""
    try:
        province = int(request.GET.get("tinh", ""))
    except ValueError:
        return JsonResponse({"error": _("Mã tỉnh không hợp lệ.")}, status=400)
    items = sorted(ward_choices(province_code=province), key=lambda c: vietnamese_sort_key(c[1]))
    return JsonResponse({"wards": [{"code": code, "name": name} for code, name in items]})


@login_required
def officer_procedures(request: HttpRequest) -> HttpResponse:
    """Procedures of the officer's agencies (and sub-agencies): the seed of the officer's workspace."""
    user = request.user
    if not (user.is_officer or user.is_province_admin):  # type: ignore[union-attr]
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức."))
    procedures = procedure_list_for_officer(user=user).order_by("code")  # type: ignore[arg-type]
    return render(request, "accounts/officer_procedures.html", {"procedures": procedures})
