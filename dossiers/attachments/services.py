"""Files on drafts and dossiers, and the citizen's document store ("provide once").

Every file is judged by its content before anything is written: type from its first bytes,
size per file (the component's limit) and per dossier (DOSSIER_MAX_TOTAL_MB). Only then is
it saved, under our own UUID name (Attachment.file's upload_to), with its sha256 computed
on the way through. A refused file leaves no row and no file behind.
"""

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import DELETION
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from common.audit import ADDITION, audit_log
from common.errors import DomainError
from common.storage import STORAGE_ERRORS
from procedures.models import DossierComponent
from workflows.constants import TERMINAL_STATUSES, Action, Status

from .. import access
from ..constants import AttachmentRole, ScanState, StoredDocumentKind
from ..events import ResultReturned
from ..exceptions import (
    AttachmentLocked,
    AttachmentNotFound,
    ComponentNotInProcedure,
    ComponentNotReusable,
    DossierFilesTooLarge,
    DossierNotFound,
    FileEmpty,
    FileHeicRefused,
    FileScanUnavailable,
    FileStorageUnavailable,
    FileTooLarge,
    FileTypeRefused,
    StoredDocumentNotFound,
)
from ..models import Attachment, Dossier, DossierDraft, DossierEvent, StoredDocument
from . import antivirus, sanitise
from .content import (
    HEAD_SIZE,
    HEIC,
    KIND_BY_CONTENT_TYPE,
    KINDS,
    FileKind,
    allowed_kinds,
    detect_kind,
    kinds_text,
    sanitise_name,
)
from .content import size_text as _size_text

logger = logging.getLogger("dvctt.stores")
MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 10
CHUNK = 64 * 1024
# The citizen's own files count towards the dossier's limit; the officers' results do not.
CITIZEN_ROLES = (AttachmentRole.FILED, AttachmentRole.SUPPLEMENT)
# A phone's photo kept as sent while it waits for the scanner (converted to JPEG once scanned).
HEIC_AS_SENT = FileKind(HEIC, "HEIC", "image/heic", (".heic", ".heif"), inline=False)


@dataclass(frozen=True)
class Inspected:
    kind: FileKind
    name: str
    size: int
    sha256: str
    content: File  # what is stored: the clean form of the upload (sanitise.py)
    removed: tuple[str, ...] = ()  # what sanitising took out, told to the officer
    # The scanner could not answer: `content` is the file as sent, unopened by any parser of ours,
    # to be kept out of reach until attachments_scan_waiting has scanned and sanitised it.
    waiting: bool = False


def max_total_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_TOTAL_MB", 50)) * MB


def file_limit_mb(component: DossierComponent | None) -> int:
    return (component.max_size_mb if component is not None else 0) or DEFAULT_MAX_FILE_MB


def _chunks(file: File) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk
    file.seek(0)


def file_inspect(*, upload: File, component: DossierComponent | None, may_wait: bool = False) -> Inspected:
    """Decide what the file is, whether `component` takes it, whether ClamAV finds it clean
    (antivirus.py: FileInfected, FileScanUnavailable when the scanner cannot answer), and its safe
    form (sanitise.py: images re-encoded without EXIF, HEIC converted to JPEG, active content taken
    out of PDFs); raises a DomainError naming the file otherwise. The size limit is checked before
    anything is read. Writes nothing.

    With `may_wait`, a scanner that cannot answer does not refuse the file: it comes back as sent,
    `waiting` (the caller keeps it in quarantine; attachments_scan_waiting decides later).
    """
    raw_name = str(upload.name or "")
    shown = sanitise_name(raw_name)
    size = int(upload.size or 0)
    limit = file_limit_mb(component)
    if size == 0:
        raise FileEmpty(name=shown)
    if size > limit * MB:
        raise FileTooLarge(name=shown, size=_size_text(size), limit=limit)
    head = b""
    for chunk in _chunks(upload):
        head += chunk[: HEAD_SIZE - len(head)]
        break
    key = detect_kind(head, upload.file if hasattr(upload, "file") else upload)
    kinds = allowed_kinds(component.allowed_types if component is not None else None)
    accepted = {kind.key for kind in kinds}
    if key == HEIC and "jpeg" not in accepted:
        raise FileHeicRefused(name=shown)
    if key != HEIC and KINDS.get(key or "") not in kinds:
        raise FileTypeRefused(name=shown, allowed=kinds_text(kinds))
    raw = b"".join(_chunks(upload))
    # Scanned as sent, before any parser of ours opens it (antivirus.py: fail closed).
    try:
        antivirus.file_scan(data=raw, name=shown)
    except FileScanUnavailable:
        if not may_wait:
            raise
        as_sent = HEIC_AS_SENT if key == HEIC else KINDS[str(key)]
        return Inspected(
            kind=as_sent, name=sanitise_name(raw_name, kind=as_sent), size=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(), content=ContentFile(raw), waiting=True,
        )  # fmt: skip
    cleaned = sanitise.clean(content=raw, kind_key=str(key), name=shown)
    kind = KINDS[cleaned.kind_key]
    name = sanitise_name(raw_name.rpartition(".")[0] if key == HEIC else raw_name, kind=kind)
    data = raw if cleaned.data is None else cleaned.data
    content = upload if cleaned.data is None else ContentFile(cleaned.data, name=name)
    return Inspected(
        kind=kind,
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=content,
        removed=cleaned.removed,
    )


def _check_component(component: DossierComponent | None, procedure_id: int) -> None:
    if component is not None and component.procedure_id != procedure_id:
        raise ComponentNotInProcedure()


def _open_supplement_request(dossier: Dossier) -> DossierEvent | None:
    """The request the citizen is answering now, while the dossier waits for the supplement."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    return dossier.events.filter(action=Action.REQUEST_SUPPLEMENT).order_by("-sequence").first()


def _check_total(*, name: str, size: int, draft: DossierDraft | None, dossier: Dossier | None) -> None:
    holder = {"draft": draft} if draft is not None else {"dossier": dossier}
    used = (
        Attachment.objects.filter(role__in=CITIZEN_ROLES, digitised=False, **holder).aggregate(total=Sum("size"))[
            "total"
        ]
        or 0
    )
    if used + size > max_total_bytes():
        raise DossierFilesTooLarge(name=name, total=_size_text(used + size), limit=max_total_bytes() // MB)


def _lock_holder(
    *, user: User, draft: DossierDraft | None, dossier: Dossier | None, role: str, digitised: bool, name: str
) -> tuple[DossierDraft | None, Dossier | None, bool]:
    """Lock the draft or dossier row (two uploads at once cannot both pass the total) and check
    the user may add this file there. Returns the locked rows and whether the user is its owner.
    """
    if (draft is None) == (dossier is None):
        raise ValueError("attachment_add takes a draft or a dossier, not both")  # a programming error
    if draft is not None:
        draft = DossierDraft.objects.select_for_update().get(pk=draft.pk)
        if not access.may_use_draft(user, draft):
            raise AttachmentNotFound()
        if draft.dossier_id is not None:
            raise AttachmentLocked(name=name, reason=_("hồ sơ đã được nộp."))
        if role != AttachmentRole.FILED or digitised:
            raise ValueError("a draft holds the citizen's own filed documents only")  # a programming error
        return draft, None, True
    assert dossier is not None  # noqa: S101 - narrowed above
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not access.may_add_to_dossier(user, dossier, role=role, digitised=digitised):
        raise DossierNotFound()
    return None, dossier, user.role == Role.CITIZEN


@transaction.atomic
def attachment_add(
    *,
    owner_user: User,
    draft: DossierDraft | None = None,
    dossier: Dossier | None = None,
    component: DossierComponent | None,
    upload: File,
    role: str = AttachmentRole.FILED,
    event: DossierEvent | None = None,
    digitised: bool = False,
) -> Attachment:
    """Add an uploaded file to a draft (its owner) or a dossier (the applicant answering an
    open supplement request, or an officer in scope: desk scans with `digitised`, results).

    Preconditions: `component` belongs to the procedure (None only for results and free
    supplements). The type is decided from the content, sizes checked per file and per
    dossier, the name sanitised. Side effects: the file saved under a UUID name, one row;
    the citizen's own uploads also land in their document store (one row per owner and
    content); officers' uploads are audited. Idempotent per holder, component and content:
    the same file sent twice (a double click) returns the first row.
    A draft's file for a component that arrives while the scanner cannot answer is kept as sent, `scan_state`
    waiting ("đang kiểm tra an toàn tệp"): never served, filed or put in the store until
    attachments_scan_waiting has scanned it. Elsewhere the scanner down refuses the file.
    Raises FileTypeRefused, FileHeicRefused, FileTooLarge, FileEmpty, FileInfected,
    FileScanUnavailable (the scanner is down, not a draft: nothing stored), DossierFilesTooLarge,
    ComponentNotInProcedure, AttachmentNotFound / DossierNotFound (outside the user's scope),
    AttachmentLocked (the dossier no longer takes files).
    """
    draft, dossier, by_owner = _lock_holder(
        user=owner_user,
        draft=draft,
        dossier=dossier,
        role=role,
        digitised=digitised,
        name=sanitise_name(upload.name or ""),
    )
    procedure_id = draft.procedure_id if draft is not None else dossier.procedure_id  # type: ignore[union-attr]
    _check_component(component, procedure_id)
    # Only a draft's file for a component may wait: draft_submit names it while it waits.
    inspected = file_inspect(upload=upload, component=component, may_wait=draft is not None and component is not None)
    if dossier is not None:
        _check_dossier_open(dossier=dossier, role=role, name=inspected.name)
        if role == AttachmentRole.SUPPLEMENT:
            event = _open_supplement_request(dossier)
    holder = {"draft": draft} if draft is not None else {"dossier": dossier}
    earlier = Attachment.objects.filter(
        **holder, component=component, role=role, sha256=inspected.sha256, event=event
    ).first()
    if earlier is not None:
        return earlier
    if by_owner:  # the limit protects against citizens' uploads, never blocks an officer
        _check_total(name=inspected.name, size=inspected.size, draft=draft, dossier=dossier)
    attachment = Attachment(
        draft=draft, dossier=dossier, component=component, role=role, event=event, uploaded_by=owner_user,
        name=inspected.name, content_type=inspected.kind.content_type, size=inspected.size,
        sha256=inspected.sha256, digitised=digitised, sanitised="; ".join(inspected.removed),
        scan_state=ScanState.WAITING if inspected.waiting else ScanState.CLEAN,
    )  # fmt: skip
    _save_with_file(attachment, inspected.content)
    if inspected.waiting:
        logger.warning("attachment %s waits for the virus scanner", attachment.uuid)
    elif by_owner:
        _store(owner=owner_user, kind=StoredDocumentKind.UPLOAD, attachment=attachment, title=_title(component))
    else:
        audit_log(actor=owner_user, obj=attachment, action_flag=ADDITION, message=_audit_message(attachment, dossier))
    return attachment


@transaction.atomic
def attachment_add_forwarded(
    *,
    dossier: Dossier,
    component: DossierComponent | None,
    upload: File,
    uploaded_by: User,
    role: str = AttachmentRole.FILED,
) -> Attachment:
    """A file the applicant attached on Cổng DVCQG, fetched by the national sync (the caller:
    no access check, and no document store: the applicant has no account here).

    Judged like every upload (type from the content, the component's size limit, sanitised);
    a supplement's file answers the open supplement request. `uploaded_by` is the national
    portal's system account. Idempotent per dossier, component, role and content.
    Raises what file_inspect raises, ComponentNotInProcedure, AttachmentLocked.
    """
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _check_component(component, dossier.procedure_id)
    inspected = file_inspect(upload=upload, component=component)
    _check_dossier_open(dossier=dossier, role=role, name=inspected.name)
    event = _open_supplement_request(dossier) if role == AttachmentRole.SUPPLEMENT else None
    earlier = Attachment.objects.filter(
        dossier=dossier, component=component, role=role, sha256=inspected.sha256, event=event
    ).first()
    if earlier is not None:
        return earlier
    attachment = Attachment(
        dossier=dossier, component=component, role=role, event=event, uploaded_by=uploaded_by,
        name=inspected.name, content_type=inspected.kind.content_type, size=inspected.size,
        sha256=inspected.sha256, sanitised="; ".join(inspected.removed),
    )  # fmt: skip
    _save_with_file(attachment, inspected.content)
    return attachment


def _check_dossier_open(*, dossier: Dossier, role: str, name: str) -> None:
    if role == AttachmentRole.SUPPLEMENT and dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise AttachmentLocked(name=name, reason=_("hồ sơ không ở trạng thái chờ bổ sung."))
    if role == AttachmentRole.RESULT and dossier.returned_at is not None:
        raise AttachmentLocked(name=name, reason=_("hồ sơ đã trả kết quả."))
    if dossier.status in TERMINAL_STATUSES:
        raise AttachmentLocked(name=name, reason=_("hồ sơ đã kết thúc."))


def _audit_message(attachment: Attachment, dossier: Dossier | None) -> str:
    what = "kết quả" if attachment.role == AttachmentRole.RESULT else "bản số hóa" if attachment.digitised else "tệp"
    return f"Tải lên {what} “{attachment.name}” ({attachment.sha256[:12]}) cho hồ sơ {dossier.code if dossier else ''}"


def _title(component: DossierComponent | None) -> str:
    return component.name[:500] if component is not None else ""


def _save_with_file(row: Attachment | StoredDocument, content: File) -> None:
    """Write the file under our UUID name, then the row; if the row fails, the file goes too.

    (A rollback of the caller's outer transaction after this point leaves the file behind:
    Django has no on-rollback hook. Such orphans are harmless, never served, and can be swept
    by comparing MEDIA_ROOT with the rows.)
    """
    content.seek(0)
    try:
        row.file.save(str(row.uuid), content, save=False)
    except STORAGE_ERRORS as error:
        # No row is written: nothing points at an object that may be missing or half written.
        logger.warning("file storage refused %s: %s", row.uuid, error)
        raise FileStorageUnavailable() from error
    try:
        with transaction.atomic():
            row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise


def _store(
    *, owner: User, kind: str, attachment: Attachment, title: str, source: Dossier | None = None
) -> StoredDocument:
    """The owner's stored document for an attachment's content: the existing row for this content,
    or a new one that points at the attachment's own stored object (the content is kept once, not
    copied: files_delete_unused deletes an object only when no row refers to it any longer).

    Safe under a race on the (owner, sha256) unique constraint: the loser returns the winner's row.
    """
    existing = StoredDocument.objects.filter(owner=owner, sha256=attachment.sha256).first()
    if existing is not None:
        return existing
    document = StoredDocument(
        owner=owner, kind=kind, name=attachment.name, title=title, content_type=attachment.content_type,
        size=attachment.size, sha256=attachment.sha256, source_dossier=source,
    )  # fmt: skip
    document.file.name = attachment.file.name
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        return StoredDocument.objects.get(owner=owner, sha256=attachment.sha256)
    return document


def files_delete_unused(names: list[str]) -> None:
    """After commit: delete the stored objects among `names` that no attachment or stored document
    refers to any longer (one object may back an upload, its reuses and the owner's stored copy)."""
    names = [name for name in names if name]
    if not names:
        return
    used = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    used |= set(StoredDocument.objects.filter(file__in=names).values_list("file", flat=True))
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        if name not in used:
            storage.delete(name)


@transaction.atomic
def attachment_reuse(
    *, owner_user: User, draft: DossierDraft, component: DossierComponent, stored_document: StoredDocument
) -> Attachment:
    """Fill a draft's component from the owner's document store with one click ("provide once").

    Preconditions: the draft and the stored document are `owner_user`'s (otherwise
    AttachmentNotFound / StoredDocumentNotFound, a 404: nobody learns another's files exist);
    the component belongs to the draft's procedure and allows reuse (`reusable`); its
    type and size rules hold for the stored file as for a fresh upload.
    Side effects: an attachment marked `reused_from` that shares the stored object when the
    checks left the content as it is (nothing written), or holds the newly cleaned form; the
    object outlives whichever row goes first (files_delete_unused). Idempotent: reusing the
    same document for the same component again returns the first attachment.
    """
    draft = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    if not access.may_use_draft(owner_user, draft):
        raise AttachmentNotFound()
    if draft.dossier_id is not None:
        raise AttachmentLocked(name=stored_document.name, reason=_("hồ sơ đã được nộp."))
    if not access.may_use_stored_document(owner_user, stored_document):
        raise StoredDocumentNotFound()
    _check_component(component, draft.procedure_id)
    if not component.reusable:
        raise ComponentNotReusable(component=component.name)
    earlier = draft.attachments.filter(component=component, reused_from=stored_document).first()
    if earlier is not None:
        return earlier
    with stored_document.file.open("rb") as stored_file:
        upload = File(stored_file, name=stored_document.name)
        inspected = file_inspect(upload=upload, component=component)
        _check_total(name=inspected.name, size=inspected.size, draft=draft, dossier=None)
        attachment = Attachment(
            draft=draft, component=component, role=AttachmentRole.FILED, uploaded_by=owner_user,
            name=stored_document.name, content_type=inspected.kind.content_type, size=inspected.size,
            sha256=inspected.sha256, reused_from=stored_document, sanitised="; ".join(inspected.removed),
        )  # fmt: skip
        if inspected.sha256 == stored_document.sha256:
            attachment.file.name = stored_document.file.name  # the same content: kept once
            attachment.save()
        else:
            _save_with_file(attachment, inspected.content)
    return attachment


@transaction.atomic
def attachment_remove(*, user: User, attachment: Attachment) -> None:
    """Take a file off: the owner's draft; the applicant's supplement not yet sent; an officer's
    result not yet returned. Anything filed is part of the record and stays.

    Raises AttachmentNotFound when the user may not see the file, AttachmentLocked when it
    can no longer change. The stored file is deleted after commit (a rollback keeps it).
    """
    attachment = (
        Attachment.objects.select_related("draft", "dossier").select_for_update(of=("self",)).get(pk=attachment.pk)
    )
    if not access.may_change_attachment(user, attachment):
        raise AttachmentNotFound()
    dossier, draft = attachment.dossier, attachment.draft
    if dossier is None:
        if draft is not None and draft.dossier_id is not None:
            raise AttachmentLocked(name=attachment.name, reason=_("hồ sơ đã được nộp."))
    else:
        removable = (
            attachment.role == AttachmentRole.SUPPLEMENT
            and attachment.uploaded_by_id == user.pk
            and _open_supplement_request(dossier) is not None
            and attachment.event_id == _open_supplement_request(dossier).pk  # type: ignore[union-attr]
        ) or (attachment.role == AttachmentRole.RESULT and user.is_officer and dossier.returned_at is None)
        if not removable:
            raise AttachmentLocked(name=attachment.name, reason=_("tệp đã thuộc hồ sơ được nộp."))
        if user.is_officer:
            audit_log(
                actor=user, obj=attachment, action_flag=DELETION,
                message=f"Xóa tệp “{attachment.name}” khỏi hồ sơ {dossier.code}",
            )  # fmt: skip
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: files_delete_unused([name]))


@transaction.atomic
def attachments_move_to_dossier(*, draft: DossierDraft, dossier: Dossier) -> int:
    """Hand a submitted draft's files to its new dossier (called by the submit service, in its
    transaction). The rows keep their draft for the record. Returns how many moved; calling it
    again moves nothing more.
    """
    if draft.owner_id != dossier.applicant_id or draft.procedure_id != dossier.procedure_id:
        raise ValueError("the draft and the dossier belong to different people or procedures")
    # Only what the scanner passed (draft_submit refuses a draft with a file still waiting).
    return Attachment.objects.filter(draft=draft, dossier__isnull=True, scan_state=ScanState.CLEAN).update(
        dossier=dossier
    )


@transaction.atomic
def stored_document_add_result(*, dossier: Dossier, attachment: Attachment) -> StoredDocument | None:
    """Put a result file into the applicant's document store (kind result), once per content.

    Returns None for dossiers without an online account (walk-ins without login).
    """
    if dossier.applicant_id is None or attachment.dossier_id != dossier.pk:
        return None
    owner = User.objects.get(pk=dossier.applicant_id)
    title = dossier.procedure.result_document or dossier.procedure.name
    document = _store(owner=owner, kind=StoredDocumentKind.RESULT, attachment=attachment, title=title, source=dossier)
    if document.kind != StoredDocumentKind.RESULT and document.source_dossier_id is None:
        # The citizen had uploaded this very file before: it is now also their official result.
        document.kind, document.source_dossier = StoredDocumentKind.RESULT, dossier
        document.title = document.title or title
        document.save(update_fields=["kind", "source_dossier", "title"])
    return document


def attachment_check_complete(*, draft: DossierDraft) -> list[DossierComponent]:
    """The draft's components that stop its submission (empty: ready to submit), in one query:
    required ones with no file the scanner passed, and any with a file still waiting for the
    scanner (`scan_waiting`) or refused by it (`scan_refused`). A component replaced by a database
    is never asked for (Resolution 66.7/2025)."""
    files = Attachment.objects.filter(draft=draft, component_id=OuterRef("pk"))
    return list(
        DossierComponent.objects.filter(procedure_id=draft.procedure_id, replaced_by__isnull=True)
        .annotate(
            scan_passed=Exists(files.filter(scan_state=ScanState.CLEAN)),
            scan_waiting=Exists(files.filter(scan_state=ScanState.WAITING)),
            scan_refused=Exists(files.filter(scan_state=ScanState.REFUSED)),
        )
        .filter(Q(required=True, scan_passed=False) | Q(scan_waiting=True) | Q(scan_refused=True))
    )


def attachments_scan_waiting(*, limit: int = 100) -> dict[str, int]:
    """Scan the files that came while the scanner could not answer, oldest first, at most `limit`.

    Each is scanned as it was sent, then sanitised like any upload: clean, it becomes the safe
    form (stored anew, the file as sent deleted after commit), `scan_state` clean, and joins its
    owner's document store; infected or impossible to make safe, its content is deleted and
    the row says why (`scan_note`) until the citizen removes it. The scanner still down stops
    the run: those files wait for the next. With scanning off nothing is touched (a file is never
    passed unscanned). Idempotent: a file already decided, or locked by another run, is skipped.
    Returns how many became clean, were refused, still wait.
    """
    counts = {"clean": 0, "refused": 0, "waiting": 0}
    pending = list(
        Attachment.objects.filter(scan_state=ScanState.WAITING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not antivirus.scanning_enabled():
        counts["waiting"] = len(pending)
        return counts
    for index, attachment_id in enumerate(pending):
        try:
            state = _scan_waiting_one(attachment_id)
        except FileScanUnavailable:
            counts["waiting"] += len(pending) - index
            break
        if state:
            counts[state] += 1
    return counts


@transaction.atomic
def _scan_waiting_one(attachment_id: int) -> str:
    attachment = (
        Attachment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("draft", "component")
        .filter(pk=attachment_id, scan_state=ScanState.WAITING)
        .first()
    )
    if attachment is None:
        return ""
    with attachment.file.open("rb") as sent:
        raw = sent.read()
    as_sent = KIND_BY_CONTENT_TYPE.get(attachment.content_type)
    kind_key = as_sent.key if as_sent is not None else HEIC
    try:
        antivirus.file_scan(data=raw, name=attachment.name)  # FileScanUnavailable: the caller stops
        cleaned = sanitise.clean(content=raw, kind_key=kind_key, name=attachment.name)
    except FileScanUnavailable:
        raise
    except DomainError as refusal:  # FileInfected, or sanitise.py could not make it safe
        _scan_refuse(attachment, str(refusal))
        return ScanState.REFUSED.value
    kind = KINDS[cleaned.kind_key]
    storage, sent_name = attachment.file.storage, attachment.file.name
    if cleaned.data is not None:
        name = sanitise_name(attachment.name.rpartition(".")[0] if kind_key == HEIC else attachment.name, kind=kind)
        try:
            attachment.file.save(str(attachment.uuid), ContentFile(cleaned.data, name=name), save=False)
        except STORAGE_ERRORS as error:
            logger.warning("file storage refused %s: %s", attachment.uuid, error)
            raise FileScanUnavailable(name=attachment.name) from error  # try again with the next run
        transaction.on_commit(lambda: storage.delete(sent_name))
        attachment.name = name
    data = raw if cleaned.data is None else cleaned.data
    attachment.content_type, attachment.size = kind.content_type, len(data)
    attachment.sha256, attachment.sanitised = hashlib.sha256(data).hexdigest(), "; ".join(cleaned.removed)
    attachment.scan_state = ScanState.CLEAN
    attachment.save(update_fields=["file", "name", "content_type", "size", "sha256", "sanitised", "scan_state"])
    draft = attachment.draft
    if draft is not None and attachment.uploaded_by_id == draft.owner_id and attachment.role == AttachmentRole.FILED:
        _store(
            owner=draft.owner, kind=StoredDocumentKind.UPLOAD, attachment=attachment, title=_title(attachment.component)
        )
    logger.info("attachment %s scanned after waiting: clean", attachment.uuid)
    return ScanState.CLEAN.value


def _scan_refuse(attachment: Attachment, reason: str) -> None:
    """Infected or unsafe: its content deleted after commit, the row kept with the reason for the citizen."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.scan_state, attachment.scan_note = ScanState.REFUSED, reason[:500]
    attachment.save(update_fields=["scan_state", "scan_note"])
    transaction.on_commit(lambda: storage.delete(name))
    logger.warning("attachment %s refused after waiting for the scanner: %s", attachment.uuid, reason)


def store_results_on_return(event: ResultReturned) -> None:
    """In the returning transaction (dossiers/subscriptions.py): the result's files join the
    citizen's store. Idempotent: one stored row per content."""
    dossier = event.dossier
    for attachment in dossier.attachments.filter(role=AttachmentRole.RESULT):
        stored_document_add_result(dossier=dossier, attachment=attachment)
