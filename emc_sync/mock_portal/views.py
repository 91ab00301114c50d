"""The stand-in's endpoints (docs/stand-in-portal.md): machine to machine JSON, CSRF-exempt."""

import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import databases, faults, records, tokens
from .citizens import CITIZENS
from .models import ReceivedRecord, Target
from .validation import batch_errors, record_errors, refusal_message

View = Callable[..., HttpResponse]
PROGRESS_BATCH_MAX = 10
FEED_PAGE_MAX = 100


def answer(status: int, error_code: str, message: str, **extra: Any) -> JsonResponse:
    body = {"error_code": error_code, "message": message, **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def invalid(message: str, errors: list[str] | None = None) -> JsonResponse:
    return answer(400, "1", message, errors=errors or [message])


def endpoint(*, methods: tuple[str, ...], protected: bool = True, faulted: bool = True) -> Callable[[View], View]:
    """Method check, then injected faults (never on /control/), then the bearer token."""

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = answer(405, "405", "Phương thức không được hỗ trợ.")
                response["Allow"] = ", ".join(methods)
                return response
            if faulted and (failure := faults.fault_response()) is not None:
                return failure
            if protected and tokens.bearer_client(request) is None:
                return answer(401, "401", "Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn.")
            return view(request, *args, **kwargs)

        return inner

    return wrap


def _json_body(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    try:
        return json.loads(request.body.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError):
        return None, invalid("Nội dung gửi lên không phải JSON hợp lệ (UTF-8).")


def _keys(request: HttpRequest, count: int) -> tuple[list[str], JsonResponse | None]:
    header = request.headers.get("Idempotency-Key", "")
    keys = [key.strip() for key in header.split(",")] if header.strip() else []
    if not keys:
        return [], invalid("Thiếu tiêu đề Idempotency-Key (mỗi bản ghi một khóa, cách nhau bởi dấu phẩy).")
    if any(not key or len(key) > 200 for key in keys):
        return [], invalid("Idempotency-Key có khóa rỗng hoặc dài quá 200 ký tự.")
    if len(keys) != count:
        return [], invalid(f"Idempotency-Key có {len(keys)} khóa nhưng nội dung có {count} bản ghi.")
    if len(set(keys)) != len(keys):
        return [], invalid("Idempotency-Key có khóa trùng nhau trong cùng một yêu cầu.")
    return keys, None


def _batch(
    request: HttpRequest, schema: str, *, most: int | None = None
) -> tuple[list[dict[str, Any]], list[str], JsonResponse | None]:
    body, refusal = _json_body(request)
    if refusal is not None:
        return [], [], refusal
    if not isinstance(body, list) or not body:
        return [], [], invalid("Nội dung phải là một mảng JSON có ít nhất một bản ghi.")
    if most is not None and len(body) > most:
        return [], [], invalid(f"Mỗi lần gửi tối đa {most} bản ghi, yêu cầu có {len(body)} bản ghi.")
    errors = batch_errors(schema, body)
    if errors:
        return [], [], invalid(refusal_message("Dữ liệu không hợp lệ.", errors), errors)
    if schema == "hoso":
        codes = [record["MaHoSo"] for record in body]
        if len(set(codes)) != len(codes):
            return [], [], invalid("Một mã hồ sơ xuất hiện nhiều lần trong cùng một yêu cầu.")
    keys, refusal = _keys(request, len(body))
    return body, keys, refusal


def _outcome(outcome: records.Outcome) -> JsonResponse:
    return answer(outcome.status, outcome.error_code, outcome.message, **outcome.extra)


# --- OAuth2 --------------------------------------------------------------------------------


@endpoint(methods=("POST",), protected=False)
def oauth_token(request: HttpRequest) -> JsonResponse:
    if request.POST.get("grant_type") != "client_credentials":
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    token = tokens.token_issue(
        client_id=request.POST.get("client_id", ""), client_secret=request.POST.get("client_secret", "")
    )
    if token is None:
        return JsonResponse({"error": "invalid_client"}, status=401)
    return JsonResponse({"access_token": token, "token_type": "Bearer", "expires_in": tokens.lifetime_seconds()})


# --- National portal -----------------------------------------------------------------------


@endpoint(methods=("POST",))
def dossier_add(request: HttpRequest) -> JsonResponse:
    batch, keys, refusal = _batch(request, "hoso")
    return refusal or _outcome(records.dossiers_add(records=batch, keys=keys))


@endpoint(methods=("POST",))
def dossier_update(request: HttpRequest) -> JsonResponse:
    batch, keys, refusal = _batch(request, "hoso")
    return refusal or _outcome(records.dossiers_update(records=batch, keys=keys))


@endpoint(methods=("POST",))
def progress_add(request: HttpRequest) -> JsonResponse:
    batch, keys, refusal = _batch(request, "tiendo", most=PROGRESS_BATCH_MAX)
    return refusal or _outcome(records.progress_add(records=batch, keys=keys))


def _day(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y%m%d")  # noqa: DTZ007 - a calendar day, no time zone
    except ValueError:
        return False
    return len(value) == 8


@endpoint(methods=("GET",))
def dossier_list(request: HttpRequest) -> JsonResponse:
    from_day, to_day = request.GET.get("tu_ngay", ""), request.GET.get("den_ngay", "")
    if not (_day(from_day) and _day(to_day)) or from_day > to_day:
        return invalid("tu_ngay và den_ngay phải có dạng yyyyMMdd, tu_ngay không sau den_ngay.")
    dossiers = records.portal_dossier_list(from_day=from_day, to_day=to_day)
    return answer(200, "0", "Thành công.", tong_so=len(dossiers), items=[dossier.payload for dossier in dossiers])


@endpoint(methods=("GET",))
def inbound_feed(request: HttpRequest) -> JsonResponse:
    ma_tinh = request.GET.get("ma_tinh", "")
    after, limit = request.GET.get("sau", "") or "0", request.GET.get("so_luong", "") or "50"
    if not (len(ma_tinh) == 2 and ma_tinh.isdigit()):
        return invalid("ma_tinh phải là mã tỉnh gồm 2 chữ số.")
    if not after.isdigit():
        return invalid("Con trỏ sau không hợp lệ (dùng giá trị con_tiep của lần đọc trước).")
    if not limit.isdigit() or not 1 <= int(limit) <= FEED_PAGE_MAX:
        return invalid(f"so_luong phải từ 1 đến {FEED_PAGE_MAX}.")
    page = records.inbound_feed(ma_tinh=ma_tinh, after=int(after), limit=int(limit))
    cursor = str(page[-1].pk) if page else after
    return answer(200, "0", "Thành công.", items=[dossier.payload for dossier in page], con_tiep=cursor)


# --- EMC -----------------------------------------------------------------------------------


@endpoint(methods=("POST",))
def emc_event(request: HttpRequest) -> JsonResponse:
    body, refusal = _json_body(request)
    if refusal is not None:
        return refusal
    errors = record_errors("emc_sukien", body)
    if errors:
        return invalid(refusal_message("Dữ liệu sự kiện không hợp lệ.", errors), errors)
    keys, refusal = _keys(request, 1)
    return refusal or _outcome(records.emc_event_add(record=body, key=keys[0]))


TRACKING_SCRIPT = """(function () {
  var script = document.currentScript;
  var siteId = (script && script.getAttribute("data-site-id")) || %(site_id)s;
  var query = "site_id=" + encodeURIComponent(siteId) + "&url=" + encodeURIComponent(location.href) +
    "&title=" + encodeURIComponent(document.title) + "&referrer=" + encodeURIComponent(document.referrer);
  var image = new Image(1, 1);
  image.src = %(endpoint)s + "?" + query;
})();
"""


@endpoint(methods=("GET",), protected=False)
def tracking_script(request: HttpRequest) -> HttpResponse:
    """The snippet for public pages: <script src=".../emc/tracking.js" data-site-id="..." async>."""
    page_view_url = request.build_absolute_uri(request.path.removesuffix("tracking.js") + "pv")
    script = TRACKING_SCRIPT % {
        "site_id": json.dumps(request.GET.get("site_id", "")),
        "endpoint": json.dumps(page_view_url),
    }
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "max-age=300"
    return response


@endpoint(methods=("GET", "POST"), protected=False)
def page_view(request: HttpRequest) -> HttpResponse:
    data = request.GET if request.method == "GET" else (request.POST or request.GET)
    view = {name: data.get(name, "") for name in ("site_id", "url", "title", "referrer")}
    if not view["site_id"] or not view["url"]:
        return invalid("Lượt xem trang cần site_id và url.")
    records.page_view_add(payload=view)
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Population registry -------------------------------------------------------------------


@endpoint(methods=("GET",))
def citizen_detail(request: HttpRequest, so_dinh_danh: str) -> JsonResponse:
    if not (len(so_dinh_danh) == 12 and so_dinh_danh.isdigit()):
        return invalid("Số định danh cá nhân phải gồm 12 chữ số.")
    citizen = CITIZENS.get(so_dinh_danh)
    if citizen is None:
        return answer(404, "3", "Không tìm thấy công dân có số định danh này.")
    fields = ("SoDinhDanh", "HoVaTen", "NgaySinh", "GioiTinh", "QueQuan", "NoiThuongTru", "DanToc", "QuocTich")
    return answer(200, "0", "Thành công.", **{name: citizen[name] for name in fields})  # type: ignore[literal-required]


@endpoint(methods=("GET",))
def sector_record(request: HttpRequest, ma_csdl: str, ma_tra_cuu: str) -> JsonResponse:
    """One record of a sector database (civil status, business registration, land)."""
    record = databases.record_get(ma_csdl, ma_tra_cuu)
    if record is None:
        return answer(404, "3", "Không tìm thấy bản ghi trong cơ sở dữ liệu này.")
    return answer(200, "0", "Thành công.", **record)


# --- Control (tests, drills); never faulted, open -------------------------------------------


def _received_item(record: ReceivedRecord) -> dict[str, Any]:
    return {
        "order": record.pk,
        "key": record.key,
        "target": record.target,
        "operation": record.operation,
        "ma_ho_so": record.ma_ho_so,
        "received_at": record.received_at.isoformat(),
        "last_offered_at": record.last_offered_at.isoformat(),
        "times_offered": record.times_offered,
        "payload": record.payload,
    }


@endpoint(methods=("GET",), protected=False, faulted=False)
def control_received(request: HttpRequest) -> JsonResponse:
    target = request.GET.get("target", "")
    if target and target not in Target.values:
        return invalid(f"target phải là một trong: {', '.join(Target.values)}.")
    received = records.received_list(target=target, ma_ho_so=request.GET.get("ma_ho_so", ""))
    return JsonResponse(
        {"count": len(received), "items": [_received_item(record) for record in received]},
        json_dumps_params={"ensure_ascii": False},
    )


def _faults_body(state: Any) -> dict[str, Any]:
    down_until = state.down_until
    return {
        **state.config,
        "down_until": down_until.isoformat() if down_until and down_until > timezone.now() else None,
        "draws": state.draws,
    }


@endpoint(methods=("GET", "POST"), protected=False, faulted=False)
def control_faults(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        body, refusal = _json_body(request)
        if refusal is not None:
            return refusal
        errors = faults.config_errors(body)
        if errors:
            return invalid("Cấu hình lỗi giả lập không hợp lệ.", errors)
        return JsonResponse(_faults_body(faults.faults_set(config=body)))
    return JsonResponse(_faults_body(faults.faults_get()))


@endpoint(methods=("POST",), protected=False, faulted=False)
def control_reset(request: HttpRequest) -> JsonResponse:
    records.stand_in_reset()
    return answer(200, "0", "Đã xóa mọi dữ liệu đã nhận.")


@endpoint(methods=("POST",), protected=False, faulted=False)
def control_inbound(request: HttpRequest) -> JsonResponse:
    """File a dossier as a citizen on the national portal. `MaTinh` (default "37") is a control
    parameter, not part of the record: it says which province's feed the dossier goes to."""
    body, refusal = _json_body(request)
    if refusal is not None:
        return refusal
    if not isinstance(body, dict) or not body.get("MaTTHC"):
        return invalid("Cần một bản ghi hồ sơ có MaTTHC.")
    ma_tinh = str(body.pop("MaTinh", records.DEFAULT_PROVINCE))
    uploads = body.pop("TepDinhKem", [])
    if not (len(ma_tinh) == 2 and ma_tinh.isdigit()):
        return invalid("MaTinh phải là mã tỉnh gồm 2 chữ số.")
    if not isinstance(uploads, list) or not all(isinstance(upload, dict) for upload in uploads):
        return invalid("TepDinhKem phải là một mảng {TenTepDinhKem, MaThanhPhanHoSo, NoiDung (base64)}.")
    record = records.inbound_defaults(record=body, now=timezone.now())
    # The national code is given at filing (it needs the filing's number): check the record
    # with a code of the same shape in its place.
    errors = record_errors("hoso_moi", {"MaHoSo": records.CODE_SHAPE, **record})
    if errors:
        return invalid(refusal_message("Dữ liệu hồ sơ không hợp lệ.", errors), errors)
    try:
        dossier = records.inbound_file(ma_tinh=ma_tinh, record=record, uploads=uploads, base_url=_base_url(request))
    except IntegrityError:
        return invalid("MaHoSo đã có trên Cổng DVCQG.")
    except records.FileContentInvalid as error:
        return invalid(str(error))
    return answer(201, "0", "Đã nộp hồ sơ trên Cổng DVCQG (giả lập).", item=dossier.payload, cursor=str(dossier.pk))


def _base_url(request: HttpRequest) -> str:
    """The stand-in's own address (mounted under /mock/ or at /): where its files are served."""
    prefix = request.path.split("control/", 1)[0]
    return request.build_absolute_uri(prefix)


def _filed(ma_ho_so: str) -> tuple[Any, JsonResponse | None]:
    dossier = records.inbound_get(ma_ho_so)
    if dossier is None:
        return None, answer(404, "3", "Không có hồ sơ này trên Cổng DVCQG (giả lập).")
    return dossier, None


@endpoint(methods=("POST",), protected=False, faulted=False)
def control_inbound_again(request: HttpRequest, ma_ho_so: str) -> JsonResponse:
    """Forward a filed dossier to the province again: unchanged (an empty body) or with the
    fields given changed, checked like a filing."""
    dossier, refusal = _filed(ma_ho_so)
    body, refusal = (None, refusal) if refusal else _json_body(request)
    if refusal is not None:
        return refusal
    if not isinstance(body, dict):
        return invalid("Cần một đối tượng JSON các trường thay đổi (có thể rỗng).")
    errors = record_errors("hoso_moi", {**dossier.payload, **body, "MaHoSo": dossier.ma_ho_so_quoc_gia})
    if errors:
        return invalid(refusal_message("Dữ liệu hồ sơ không hợp lệ.", errors), errors)
    dossier = records.inbound_forward_again(dossier=dossier, changes=body)
    return answer(200, "0", "Đã chuyển lại hồ sơ về tỉnh (giả lập).", item=dossier.payload)


@endpoint(methods=("POST",), protected=False, faulted=False)
def control_inbound_withdraw(request: HttpRequest, ma_ho_so: str) -> JsonResponse:
    """The citizen withdraws the dossier on the national portal (body: {"LyDo": "..."})."""
    dossier, refusal = _filed(ma_ho_so)
    body, refusal = (None, refusal) if refusal else _json_body(request)
    if refusal is not None:
        return refusal
    reason = str(body.get("LyDo") or "") if isinstance(body, dict) else ""
    entry = records.inbound_withdraw(dossier=dossier, reason=reason)
    return answer(200, "0", "Công dân đã rút hồ sơ trên Cổng DVCQG (giả lập).", item=entry.payload)


@endpoint(methods=("POST",), protected=False, faulted=False)
def control_inbound_supplement(request: HttpRequest, ma_ho_so: str) -> JsonResponse:
    """The citizen supplies a supplement on the national portal (body: {"NoiDungBoSung",
    "TepDinhKem": [{TenTepDinhKem, MaThanhPhanHoSo, NoiDung (base64)}]})."""
    dossier, refusal = _filed(ma_ho_so)
    body, refusal = (None, refusal) if refusal else _json_body(request)
    if refusal is not None:
        return refusal
    if not isinstance(body, dict) or not isinstance(body.get("TepDinhKem", []), list):
        return invalid("Cần {NoiDungBoSung, TepDinhKem: [...]}.")
    try:
        entry = records.inbound_supplement(
            dossier=dossier, content=str(body.get("NoiDungBoSung") or ""), uploads=body.get("TepDinhKem", []),
            base_url=_base_url(request),
        )  # fmt: skip
    except records.FileContentInvalid as error:
        return invalid(str(error))
    return answer(200, "0", "Công dân đã bổ sung hồ sơ trên Cổng DVCQG (giả lập).", item=entry.payload)


@endpoint(methods=("GET",))
def portal_file(request: HttpRequest, file_id: str) -> HttpResponse:
    """A citizen's file on the national portal, for the province that received the dossier."""
    kept = records.file_get(file_id)
    if kept is None:
        return answer(404, "3", "Không có tệp này trên Cổng DVCQG.")
    response = HttpResponse(bytes(kept.content), content_type=kept.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_id}"'
    return response
