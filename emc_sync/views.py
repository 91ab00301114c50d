"""The sync page for province admins: what waits, what was delivered, what was refused (and resend)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from common.errors import DomainError

from .constants import OutboxState, Target
from .inbound import inbound_retry
from .models import InboundFailure, OutboxRow
from .selectors import inbound_failure_list, outbox_failed_list, outbox_summary
from .services import outbox_resend


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (user.is_province_admin or user.is_superuser):
        raise PermissionDenied(_("Trang này chỉ dành cho quản trị cấp tỉnh."))
    return user


@login_required
def sync_summary(request: HttpRequest) -> HttpResponse:
    _admin(request)
    target = request.GET.get("dich", "")
    if target not in Target.values:
        target = ""
    context = {
        "summaries": outbox_summary(),
        "failed": outbox_failed_list(target=target or None),
        "inbound_failures": inbound_failure_list(),
        "targets": Target.choices,
        "target": target,
    }
    return render(request, "emc_sync/summary.html", context)


@login_required
@require_POST
def sync_resend(request: HttpRequest) -> HttpResponse:
    """Resend the rows ticked, or every failed row of a target ("all")."""
    actor = _admin(request)
    if request.POST.get("all") in Target.values:
        ids = list(
            OutboxRow.objects.filter(state=OutboxState.FAILED, target=request.POST["all"]).values_list("id", flat=True)
        )
    else:
        ids = [int(value) for value in request.POST.getlist("row") if value.isdigit()]
    try:
        count = outbox_resend(actor=actor, row_ids=ids)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã đưa %(count)s bản ghi vào hàng đợi gửi lại.") % {"count": count})
    return redirect("emc_sync:summary")


@login_required
@require_POST
def sync_inbound_retry(request: HttpRequest) -> HttpResponse:
    """Retry the quarantined messages ticked (after fixing their cause)."""
    actor = _admin(request)
    ids = [int(value) for value in request.POST.getlist("failure") if value.isdigit()]
    try:
        result = inbound_retry(actor=actor, failure_ids=ids)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        left = InboundFailure.objects.filter(pk__in=ids, resolved_at__isnull=True).count()
        messages.success(
            request,
            _("Đã nhận %(released)s bản tin; còn %(left)s bản tin chờ trong danh sách cách ly.")
            % {"released": result.released, "left": left},
        )
    return redirect("emc_sync:summary")
