"""The citizen's own writes: drafts, submitting a draft, answering a supplement request,
withdrawing, rating.

Status still has one writer: these services create the dossier through
`services.dossier_submit` and move it through `services.dossier_act`; what they add is
the citizen's side of the rules (whose draft, what must be complete, what a reason needs).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from dossiers import access, attachments
from dossiers.attachments.selectors import component_filled_by_eform
from dossiers.constants import Action, AttachmentRole, Channel, Status
from dossiers.events import use_case
from dossiers.exceptions import (
    AlreadyRated,
    CommentRequired,
    DeclarationRequired,
    DossierNotFound,
    DraftIncomplete,
    InvalidScore,
    NotRatableYet,
    ProcedureNotOpen,
    ResultAddressRequired,
    ResultDeliveryUnavailable,
    SupplementFilesRequired,
)
from dossiers.models import Attachment, Dossier, DossierDraft, DossierEvent, Rating
from dossiers.payments.services import payment_attach_to_dossier
from dossiers.services import dossier_act, dossier_submit
from eforms.selectors import form_version_current
from eforms.validation import validate_submission
from procedures.constants import ResultDelivery
from procedures.models import Agency, Procedure

# Answers of the e-form that name the applicant, when the form asks for them (else the profile).
APPLICANT_FIELDS = {"name": "ho_ten", "id_number": "so_dinh_danh", "phone": "dien_thoai", "email": "email"}


def _open_agency(procedure: Procedure, agency: Agency | None) -> Agency | None:
    agencies = list(procedure.implementing_agencies.order_by("code"))
    if agency is not None:
        return agency if agency in agencies else None
    return agencies[0] if len(agencies) == 1 else None


@transaction.atomic
def draft_start(
    *, owner: User, procedure: Procedure, agency: Agency | None = None, receiving_agency: Agency | None = None
) -> DossierDraft:
    """Start a dossier online: a draft pinned to the procedure's current e-form version.

    Only citizens' accounts; only published procedures offered online (full or partial).
    `agency` (the competent agency) must implement the procedure; with one implementing agency
    it is chosen. `receiving_agency`: the one-stop desk, anywhere in the province, where the
    applicant will hand in paper or collect the result (None: the competent agency's own).
    """
    if owner.role != Role.CITIZEN:
        raise ProcedureNotOpen(
            code=procedure.code, reason=_("chỉ tài khoản công dân, doanh nghiệp nộp hồ sơ trực tuyến.")
        )
    if not procedure.is_published or not procedure.is_online:
        raise ProcedureNotOpen(code=procedure.code, reason=_("thủ tục không nhận hồ sơ trực tuyến."))
    chosen = _open_agency(procedure, agency)
    if agency is not None and chosen is None:
        raise ProcedureNotOpen(
            code=procedure.code, reason=_("%(agency)s không thực hiện thủ tục này.") % {"agency": agency.name}
        )
    if receiving_agency is not None and not receiving_agency.is_active:
        raise ProcedureNotOpen(
            code=procedure.code,
            reason=_("%(agency)s không còn tiếp nhận hồ sơ.") % {"agency": receiving_agency.name},
        )
    return DossierDraft.objects.create(
        owner=owner, procedure=procedure, agency=chosen, receiving_agency=receiving_agency,
        form_version=form_version_current(procedure=procedure),
    )  # fmt: skip


def _editable(draft: DossierDraft) -> DossierDraft:
    locked = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.dossier_id is not None:
        raise DraftIncomplete([_("Hồ sơ này đã được nộp, không sửa được nữa.")])
    return locked


@transaction.atomic
def draft_answers_save(*, draft: DossierDraft, answers: dict[str, Any], step: str = "") -> DossierDraft:
    """Autosave: the clean answers so far (the wizard checked them), and where the citizen is."""
    locked = _editable(draft)
    locked.form_data = answers
    locked.current_step = step
    locked.save(update_fields=["form_data", "current_step", "updated_at"])
    return locked


@transaction.atomic
def draft_agency_set(*, draft: DossierDraft, agency: Agency) -> DossierDraft:
    locked = _editable(draft)
    if _open_agency(locked.procedure, agency) is None:
        raise ProcedureNotOpen(
            code=locked.procedure.code, reason=_("%(agency)s không thực hiện thủ tục này.") % {"agency": agency.name}
        )
    locked.agency = agency
    locked.save(update_fields=["agency", "updated_at"])
    return locked


@transaction.atomic
def draft_fees_set(*, draft: DossierDraft, fee_ids: list[int]) -> DossierDraft:
    """Which optional fees apply to this applicant (late registration).

    Only the procedure's optional fees not counted by an e-form field (the copies asked for in
    the e-form select those) can be chosen; others in `fee_ids` are ignored. Not
    once a payment is under way or made: the amount must not change under it.
    """
    locked = _editable(draft)
    if locked.payments.filter(status__in=("pending", "paid")).exists():
        raise DraftIncomplete([_("Đã tạo giao dịch thanh toán, không thay đổi được các khoản phí.")])
    # A fee counted by an e-form field (copies) follows the form's answer, never a tick.
    allowed = set(
        locked.procedure.fees.filter(optional=True, quantity_field="").values_list("pk", flat=True)  # type: ignore[attr-defined]
    )
    locked.fees_chosen = sorted(allowed & set(fee_ids))
    locked.save(update_fields=["fees_chosen", "updated_at"])
    return locked


def draft_problems(*, draft: DossierDraft) -> list[str]:
    """What still stops the draft from being submitted, in the citizen's words (empty: ready)."""
    return _draft_check(draft)[0]


def _draft_check(draft: DossierDraft) -> tuple[list[str], dict[str, Any]]:
    """The problems, and the clean e-form answers (hidden fields dropped) when there are none."""
    problems = []
    values: dict[str, Any] = {}
    procedure = draft.procedure
    if not (procedure.is_published and procedure.is_online):
        # Withdrawn since the draft was started (console: back to information only).
        problems.append(
            _(
                "Thủ tục này hiện không nhận hồ sơ trực tuyến. Hồ sơ đang soạn vẫn được giữ; "
                "bạn có thể nộp hồ sơ trực tiếp tại bộ phận một cửa."
            )
        )
    if draft.agency_id is None:
        problems.append(_("Chưa chọn cơ quan tiếp nhận hồ sơ."))
    if draft.form_version is not None:
        result = validate_submission(draft.form_version.schema, draft.form_data)
        if not result.is_valid:
            problems.append(_("Tờ khai chưa điền đủ hoặc còn thông tin chưa hợp lệ."))
        values = result.values
    for component in attachments.attachment_check_complete(draft=draft):
        if getattr(component, "scan_waiting", False):
            problems.append(
                _("Tệp của “%(name)s” đang kiểm tra an toàn tệp: vui lòng chờ ít phút rồi nộp.")
                % {"name": component.name}
            )
            continue
        if getattr(component, "scan_refused", False):
            problems.append(
                _("Tệp của “%(name)s” không được nhận khi kiểm tra an toàn: vui lòng xóa tệp đó và tải lên tệp khác.")
                % {"name": component.name}
            )
            continue
        if component_filled_by_eform(component, draft):
            continue  # the application form itself: the e-form is it
        problems.append(_("Chưa đính kèm: %(name)s.") % {"name": component.name})
    return problems, values


@use_case
def draft_submit(
    *,
    draft: DossierDraft,
    declaration: bool,
    result_delivery: str = "",
    result_address: str = "",
    language: str = "",
) -> Dossier:
    """Submit a draft: one dossier (status 1, code, due date, first event), its files and payments moved.

    `result_delivery` is one of the procedure's ways (Procedure.result_delivery_ways; blank: the
    first of them); by post it needs `result_address`. `language`: the one the citizen files in
    (their messages use it).
    Idempotent: a double click or a resent form returns the dossier of the first submission
    (the draft's token is the idempotency key, and the draft row is locked meanwhile).
    Raises DeclarationRequired, DraftIncomplete (every missing piece listed), ProcedureNotOpen,
    ResultDeliveryUnavailable, ResultAddressRequired.
    """
    # of=("self",): lock the draft row only; form_version is nullable (an outer join), and
    # PostgreSQL refuses FOR UPDATE on the nullable side of one.
    locked = (
        DossierDraft.objects.select_for_update(of=("self",))
        .select_related("owner", "procedure", "agency", "receiving_agency", "form_version")
        .get(pk=draft.pk)
    )
    if locked.dossier_id is not None:
        return Dossier.objects.get(pk=locked.dossier_id)
    if not declaration:
        raise DeclarationRequired()
    delivery, address = _result_delivery(locked.procedure, result_delivery, result_address)
    problems, values = _draft_check(locked)
    if problems:
        raise DraftIncomplete(problems)
    owner = locked.owner
    name = str(values.get(APPLICANT_FIELDS["name"]) or owner.full_name or owner.username)
    assert locked.agency is not None  # noqa: S101 - draft_problems checked it
    dossier = dossier_submit(
        procedure=locked.procedure,
        agency=locked.agency,
        channel=Channel.ONLINE,
        applicant=owner,
        applicant_name=name,
        applicant_id_number=str(values.get(APPLICANT_FIELDS["id_number"]) or owner.citizen_id),
        applicant_phone=str(values.get(APPLICANT_FIELDS["phone"]) or owner.phone),
        applicant_email=str(values.get(APPLICANT_FIELDS["email"]) or owner.email),
        summary=f"{locked.procedure.name} – {name}",
        form_data=values,
        form_version=locked.form_version,
        actor=owner,
        idempotency_key=f"draft:{locked.token}",
        result_delivery=delivery,
        result_address=address,
        receiving_agency=locked.receiving_agency,
        language=language,
    )
    attachments.attachments_move_to_dossier(draft=locked, dossier=dossier)
    payment_attach_to_dossier(draft=locked, dossier=dossier)
    locked.dossier = dossier
    locked.save(update_fields=["dossier", "updated_at"])
    return dossier


def _result_delivery(procedure: Procedure, chosen: str, address: str) -> tuple[str, str]:
    ways = procedure.result_delivery_ways()
    delivery = chosen or ways[0]
    if delivery not in ways:
        raise ResultDeliveryUnavailable()
    address = " ".join(address.split())
    if delivery != ResultDelivery.POST:
        return delivery, ""
    if not address:
        raise ResultAddressRequired()
    return delivery, address


@transaction.atomic
def draft_delete(*, draft: DossierDraft) -> None:
    """Forget an unsubmitted draft and its files (a paid payment keeps the draft: refunds are manual)."""
    locked = _editable(draft)
    if locked.payments.filter(status="paid").exists():
        raise DraftIncomplete([_("Hồ sơ đang soạn đã nộp lệ phí, không xóa được. Vui lòng nộp hồ sơ.")])
    names = [a.file.name for a in locked.attachments.filter(dossier__isnull=True)]
    locked.attachments.filter(dossier__isnull=True).delete()
    locked.delete()
    # The files go once the rows are gone for good (a rollback must not leave rows without files),
    # except those the citizen's document store still refers to.
    transaction.on_commit(lambda: attachments.files_delete_unused(names))


def drafts_expire(*, now: dt.datetime | None = None) -> int:
    """Personal data kept no longer than needed (Decree 13/2023): drafts never submitted and not
    touched for DRAFT_RETENTION_DAYS are deleted with their files. Drafts with a payment made or
    under way are kept (the money must be traced). Each draft in its own transaction; returns
    how many went. Idempotent."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.DRAFT_RETENTION_DAYS)
    stale = (
        DossierDraft.objects.filter(dossier__isnull=True, updated_at__lt=cutoff)
        .exclude(payments__status__in=("pending", "paid"))
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in list(stale):
        try:
            draft_delete(draft=DossierDraft.objects.get(pk=pk))
        except (DossierDraft.DoesNotExist, DraftIncomplete):
            continue  # submitted or paid meanwhile
        deleted += 1
    return deleted


def supplement_request_open(*, dossier: Dossier) -> DossierEvent | None:
    """The officer's request the citizen must answer now (form 02's content), or None."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    return dossier.events.filter(action=Action.REQUEST_SUPPLEMENT).order_by("-sequence").first()


@use_case
def dossier_supplement_provide(*, dossier: Dossier, citizen: User, note: str, idempotency_key: str) -> Dossier:
    """The citizen sends the requested documents: the clock resumes (dossier_act closes the pause).

    The files were uploaded against the open request (attachments with role supplement and
    the request's event); at least one is needed. Replaying the same key is a no-op.
    """
    request = supplement_request_open(dossier=dossier)
    files = (
        list(Attachment.objects.filter(dossier=dossier, role=AttachmentRole.SUPPLEMENT, event=request))
        if request
        else []
    )
    if request is not None and not files:
        raise SupplementFilesRequired()
    return dossier_act(
        dossier_id=dossier.pk,
        actor=citizen,
        action=Action.PROVIDE_SUPPLEMENT,
        comment=note.strip(),
        idempotency_key=idempotency_key,
        data={"files": [str(f.uuid) for f in files]},
    )


@use_case
def dossier_withdraw(*, dossier: Dossier, citizen: User, reason: str, idempotency_key: str) -> Dossier:
    """The citizen withdraws before a decision (status 7), with a reason the officers read."""
    if not reason.strip():
        raise CommentRequired(action=_("rút hồ sơ"))
    return dossier_act(
        dossier_id=dossier.pk,
        actor=citizen,
        action=Action.WITHDRAW,
        comment=reason.strip(),
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def dossier_rate(*, dossier: Dossier, citizen: User, score: int, comment: str = "") -> Rating:
    """Satisfaction 1–5 (optional comment), once per dossier, by its applicant, after the result."""
    if not access.may_rate_dossier(citizen, dossier):
        raise DossierNotFound()
    if dossier.status != Status.RETURNED:
        raise NotRatableYet()
    if score not in range(1, 6):
        raise InvalidScore()
    try:
        with transaction.atomic():
            return Rating.objects.create(
                dossier=dossier, score=score, comment=comment.strip()[:2000], created_at=timezone.now()
            )
    except IntegrityError:
        raise AlreadyRated() from None
