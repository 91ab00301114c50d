import math
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from common.errors import DomainError
from procedures.text import vietnamese_sort_key

from .constants import AuthEventKind
from .forms import OtpTokenForm, OtpVerifyForm, ProfileForm, RegistrationForm
from .middleware import session_seconds_left, session_touch
from .models import User
from .security import client_ip, requires_two_factor
from .selectors import procedure_list_for_officer, ward_choices
from .services import auth_event_record, user_profile_update
from .two_factor import (
    backup_code_display,
    backup_code_verify,
    backup_codes_issue,
    backup_codes_left,
    confirmed_device,
    qr_data_uri,
    secret_base32,
    totp_enrolment_confirm,
    totp_enrolment_device,
    totp_verify,
)
from .vneid.client import vneid_authorize_redirect, vneid_identity_from_callback
from .vneid.services import VneidSignIn, user_sign_in_with_vneid

_VNEID_NEXT = "vneid_next"
# Backup codes made at enrolment wait here for the one page that shows them, then are gone.
_NEW_BACKUP_CODES = "otp_new_backup_codes"


def _rate(setting: str) -> Any:
    """A django-ratelimit rate read from the settings at each request (so tests and load runs can change it)."""
    return lambda _group, _request: getattr(settings, setting)


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _second_factor_url(user: User, next_url: str) -> str:
    name = "accounts:otp_verify" if confirmed_device(user=user) else "accounts:otp_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@method_decorator(
    ratelimit(group="accounts.login", key="ip", rate=_rate("LOGIN_RATE_PER_ADDRESS"), method="POST", block=True),
    name="post",
)
class LoginView(auth_views.LoginView):
    """Login with user name (or citizen id number) and password; officers then give a TOTP code.

    Wrong passwords are counted by django-axes (settings AXES_*); a locked pair of user name and
    address gets `login_locked_out` instead of this view.
    """

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_expired"] = "het-phien" in self.request.GET
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if settings.OFFICER_2FA_REQUIRED and requires_two_factor(user):
            return redirect(_second_factor_url(user, self.get_success_url()))
        return response


def _lockout_minutes_left(request: HttpRequest, username: str) -> int:
    last = AccessAttempt.objects.filter(username=username, ip_address=client_ip(request)).aggregate(
        last=Max("attempt_time")
    )["last"]
    if last is None:
        return settings.LOGIN_LOCKOUT_MINUTES
    seconds = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): the login page again,
    with how many minutes are left, status 429. The admin's login form gets the same page."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": _safe_next(request, ""),
        "locked_minutes": _lockout_minutes_left(request, username),
    }
    return render(request, "accounts/login.html", context, status=429)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: too many requests of one kind from one address or account."""
    message = _("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ ít phút rồi thử lại.")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


@ratelimit(group="accounts.register", key="ip", rate=_rate("REGISTER_RATE_PER_ADDRESS"), method="POST", block=True)
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
    context = {"profile_user": request.user, "form": form, "two_factor": requires_two_factor(request.user)}
    return render(request, "accounts/profile.html", context)


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


# --- two-factor authentication -----------------------------------------------------------------


def _two_factor_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not requires_two_factor(user):
        raise PermissionDenied(_("Xác thực hai lớp chỉ dành cho tài khoản cán bộ, quản trị."))
    return user


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the 6-digit code from the officer's authenticator app."""
    user = _two_factor_user(request)
    next_url = _safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if confirmed_device(user=user) is None:
        return redirect(_second_factor_url(user, next_url))
    form = OtpVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if form.is_backup_code:
            backup = backup_code_verify(user=user, token=token)
            if backup is not None:
                otp_login(request, backup)
                auth_event_record(kind=AuthEventKind.BACKUP_CODE_USED, request=request, user=user)
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã dự phòng; còn %(left)d mã. Tạo bộ mã mới ở trang Mã dự phòng.")
                    % {"left": backup_codes_left(user=user)},
                )
                return redirect(next_url)
        else:
            device = totp_verify(user=user, token=token)
            if device is not None:
                otp_login(request, device)
                auth_event_record(kind=AuthEventKind.OTP_VERIFIED, request=request, user=user)
                return redirect(next_url)
        auth_event_record(kind=AuthEventKind.OTP_FAILED, request=request, user=user)
        form.add_error(
            "token",
            _("Mã dự phòng không đúng hoặc đã được dùng.")
            if form.is_backup_code
            else _("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trên ứng dụng."),
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the QR code (or type the key), confirm with a code.

    A user who already has a device must first log in with it: a stolen password alone cannot
    replace the device.
    """
    user = _two_factor_user(request)
    next_url = _safe_next(request)
    if confirmed_device(user=user) is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(_second_factor_url(user, next_url))
    device = totp_enrolment_device(user=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_enrolment_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            auth_event_record(kind=AuthEventKind.OTP_ENROLLED, request=request, user=user)
            request.session[_NEW_BACKUP_CODES] = backup_codes_issue(user=user)
            auth_event_record(kind=AuthEventKind.BACKUP_CODES_ISSUED, request=request, user=user)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản."))
            return redirect(f"{reverse('accounts:otp_backup_codes')}?{urlencode({'next': next_url})}")
        auth_event_record(kind=AuthEventKind.OTP_FAILED, request=request, user=user)
        form.add_error("token", _("Mã xác thực không đúng. Vui lòng kiểm tra giờ trên điện thoại và nhập mã mới."))
    context = {"form": form, "next": next_url, "qr": qr_data_uri(device), "secret": secret_base32(device)}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/otp_setup.html", context, status=status)


@never_cache
@login_required
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes: shown once, right after they are made (at enrolment or on request).

    Reached only after the second factor (OfficerTwoFactorMiddleware), so a password alone can
    neither read nor replace them.
    """
    user = _two_factor_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect(_second_factor_url(user, request.get_full_path()))
    if request.method == "POST":
        codes = backup_codes_issue(user=user)
        auth_event_record(kind=AuthEventKind.BACKUP_CODES_ISSUED, request=request, user=user)
    else:
        codes = request.session.pop(_NEW_BACKUP_CODES, None) or []
    context = {
        "codes": [backup_code_display(code) for code in codes],
        "left": backup_codes_left(user=user),
        "next": _safe_next(request, default=reverse("accounts:profile")),
    }
    return render(request, "accounts/otp_backup_codes.html", context)


# --- session expiry -----------------------------------------------------------------------------


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left in the session; asking does not count as activity."""
    return JsonResponse({"seconds_left": session_seconds_left(request)})


@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """ "Tiếp tục phiên làm việc": the session starts its idle time again."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0}, status=401)
    session_touch(request)
    return JsonResponse({"seconds_left": session_seconds_left(request)})
