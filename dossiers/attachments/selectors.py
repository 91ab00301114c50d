"""Reads of files: who may see one, and what a component's upload box shows."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from procedures.models import DossierComponent

from .. import access
from ..constants import AttachmentRole
from ..exceptions import AttachmentNotFound, ComponentNotInProcedure, StoredDocumentNotFound
from ..models import Attachment, Dossier, DossierDraft, DossierEvent, StoredDocument
from .content import allowed_kinds, kinds_text
from .services import file_limit_mb


def attachment_get_for_user(*, user: User, uuid: str) -> Attachment:
    """A file the user may see (access.attachments_visible_filter); AttachmentNotFound (a 404)
    otherwise, exactly as for a file that does not exist."""
    try:
        return (
            Attachment.objects.select_related("dossier").filter(access.attachments_visible_filter(user)).get(uuid=uuid)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError, ValidationError):
        raise AttachmentNotFound() from None


def attachment_list_for_dossier(*, user: User, dossier: Dossier) -> QuerySet[Attachment]:
    """The dossier's files the user may see, oldest first (a consulted agency: not the results)."""
    return Attachment.objects.filter(dossier=dossier).filter(access.attachments_visible_filter(user))


def stored_document_list_for_user(*, user: User) -> QuerySet[StoredDocument]:
    """The user's document store (access.stored_documents_usable_filter), newest first."""
    return StoredDocument.objects.filter(access.stored_documents_usable_filter(user)).order_by("-created_at", "-id")


def stored_document_get_for_user(*, user: User, uuid: str) -> StoredDocument:
    """One of the user's stored documents; StoredDocumentNotFound (a 404) for anyone else's."""
    try:
        return StoredDocument.objects.filter(access.stored_documents_usable_filter(user)).get(uuid=uuid)
    except (StoredDocument.DoesNotExist, ValueError, TypeError, ValidationError):
        raise StoredDocumentNotFound() from None


@dataclass(frozen=True)
class ComponentFiles:
    """One component's upload box: its rules, the files already given, the store's candidates."""

    component: DossierComponent | None  # None: "other documents" of a supplement
    name: str
    required: bool
    types_text: str  # "PDF, JPEG hoặc PNG"
    accept: str  # for <input accept>: ".pdf,.jpg,.jpeg,.png,application/pdf,..."
    max_size_mb: int
    reusable: bool
    attachments: list[Attachment]
    stored_documents: list[StoredDocument]  # the user's, of an accepted type, not already used here
    by_eform: bool = False  # the draft's e-form is this document: no upload asked for


def component_filled_by_eform(component: DossierComponent | None, draft: DossierDraft | None) -> bool:
    """The one rule: a component that is the procedure's application form (it has a template:
    "Tờ khai ...") is filled by the draft's e-form when the draft has one; no upload is asked for."""
    return bool(component and draft and draft.form_version_id is not None and component.template_name)


def attachment_components(
    *,
    user: User,
    draft: DossierDraft | None = None,
    dossier: Dossier | None = None,
    supplement_event: DossierEvent | None = None,
    stored_documents: list[StoredDocument] | None = None,
) -> list[ComponentFiles]:
    """The upload boxes of a draft (role filed) or of a supplement answer on `dossier` (role
    supplement, files sent against `supplement_event`, plus an "other documents" box).

    Three queries whatever the number of components or files: components, files, and the
    user's store (skipped when the caller passes `stored_documents` or no component is reusable).
    """
    if draft is not None:
        procedure_id = draft.procedure_id
        files = Attachment.objects.filter(draft=draft, role=AttachmentRole.FILED)
    elif dossier is not None:
        procedure_id = dossier.procedure_id
        files = Attachment.objects.filter(dossier=dossier, role=AttachmentRole.SUPPLEMENT, event=supplement_event)
    else:
        return []
    asked = DossierComponent.objects.filter(procedure_id=procedure_id)
    if draft is not None:  # a component replaced by a database is not asked for (Resolution 66.7/2025)
        asked = asked.filter(replaced_by__isnull=True)
    components: list[DossierComponent | None] = list(asked.order_by("order", "id"))
    if draft is None:
        components.append(None)
    by_component: dict[int | None, list[Attachment]] = {}
    for attachment in files.order_by("created_at", "id"):
        by_component.setdefault(attachment.component_id, []).append(attachment)
    if stored_documents is None:
        wanted = draft is not None and any(c is not None and c.reusable for c in components)
        stored_documents = list(stored_document_list_for_user(user=user)) if wanted else []
    boxes = []
    for component in components:
        kinds = allowed_kinds(component.allowed_types if component else None)
        given = by_component.get(component.pk if component else None, [])
        used = {a.sha256 for a in given}  # the store's copy of a file already here is not offered again
        types = {kind.content_type for kind in kinds}
        reusable = bool(component and component.reusable and draft is not None)
        candidates = (
            [d for d in stored_documents if d.content_type in types and d.sha256 not in used] if reusable else []
        )
        by_eform = component_filled_by_eform(component, draft)
        boxes.append(
            ComponentFiles(
                component=component,
                name=component.name if component else str(_("Giấy tờ khác")),
                required=bool(component and component.required) and not by_eform,
                by_eform=by_eform,
                types_text=kinds_text(kinds),
                accept=",".join([ext for kind in kinds for ext in kind.extensions] + sorted(types)),
                max_size_mb=file_limit_mb(component),
                reusable=reusable,
                attachments=given,
                stored_documents=candidates,
            )
        )
    return boxes


def draft_get_for_files(*, user: User, token: str) -> DossierDraft:
    """The user's own draft by its token (access.drafts_usable_filter); AttachmentNotFound (a 404)
    for anyone else's."""
    try:
        return DossierDraft.objects.filter(access.drafts_usable_filter(user)).get(token=token)
    except (DossierDraft.DoesNotExist, ValueError, TypeError, ValidationError):
        raise AttachmentNotFound() from None


def component_get(*, procedure_id: int, pk: int | None) -> DossierComponent | None:
    """A component of the procedure (None when `pk` is None); ComponentNotInProcedure otherwise."""
    if pk is None:
        return None
    component = DossierComponent.objects.filter(procedure_id=procedure_id, pk=pk).first()
    if component is None:
        raise ComponentNotInProcedure()
    return component


def uploaded_bytes_today(*, user: User) -> int:
    """Bytes the user uploaded since midnight (Asia/Ho_Chi_Minh), files reused from the store not counted."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = Attachment.objects.filter(uploaded_by=user, created_at__gte=midnight, reused_from__isnull=True).aggregate(
        total=Sum("size")
    )["total"]
    return int(total or 0)


def components_replaced(*, procedure_id: int) -> list[DossierComponent]:
    """The procedure's components the applicant is not asked for: read from a database at filing
    (Resolution 66.7/2025), with the database."""
    return list(
        DossierComponent.objects.filter(procedure_id=procedure_id, replaced_by__isnull=False)
        .select_related("replaced_by")
        .order_by("order", "id")
    )
