from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procedures.text import vietnamese_sort_key

from .forms import RegistrationForm
from .selectors import procedure_list_for_officer, ward_choices


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
    return render(request, "accounts/profile.html", {"profile_user": request.user})


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
