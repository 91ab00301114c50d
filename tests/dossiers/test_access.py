"""dossiers/access.py: the one access policy, as a table (every rule against every kind of
person), then the pages that must answer by it."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.constants import Role
from dossiers import access
from dossiers.attachments import attachment_add, attachments_move_to_dossier
from dossiers.constants import AttachmentRole, Channel, DocumentKind, StoredDocumentKind
from dossiers.models import (
    Attachment,
    Complaint,
    Consultation,
    Dossier,
    DossierDocument,
    DossierDraft,
    DossierEvent,
    Rating,
    StoredDocument,
)
from dossiers.services import dossier_submit
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ComponentFactory, DossierFactory, UserFactory
from tests.files import PDF

# The columns of the table: who asks.
PEOPLE = (
    "owner",  # the citizen who filed the dossier
    "other_citizen",
    "officer",  # of the dossier's agency
    "parent_officer",  # of the agency above it
    "outsider",  # an officer of an unrelated agency
    "consulted",  # an officer of the agency asked for its opinion
    "province_admin",
    "anonymous",
)


@pytest.fixture
def world(office):
    """One dossier of the office's agency (below a parent agency) filed by a citizen, with a
    filed file and a result, a complaint, a consultation of another agency, and the citizen's
    unsubmitted draft with a file and a stored document."""
    parent = AgencyFactory(code="000.00.00.H42", name="UBND tỉnh", level=AgencyLevel.PROVINCE)
    agency = office["agency"]
    agency.parent = parent
    agency.save(update_fields=["parent"])
    consulted_agency = AgencyFactory(code="000.00.30.H42", name="Sở Tài nguyên và Môi trường")
    outside_agency = AgencyFactory(code="000.00.40.H42", name="Công an tỉnh")
    owner = office["people"][Role.CITIZEN]
    people: dict[str, Any] = {
        "owner": owner,
        "other_citizen": UserFactory(role=Role.CITIZEN),
        "officer": office["people"][Role.SPECIALIST],
        "parent_officer": UserFactory(role=Role.LEADER, agencies=[parent]),
        "outsider": UserFactory(role=Role.SPECIALIST, agencies=[outside_agency]),
        "consulted": UserFactory(role=Role.SPECIALIST, agencies=[consulted_agency]),
        "province_admin": UserFactory(province_admin=True),
        "anonymous": AnonymousUser(),
    }
    dossier = DossierFactory(procedure=office["procedure"], agency=agency, applicant=owner)
    consultation = Consultation.objects.create(
        dossier=dossier, agency=consulted_agency, question="Ý kiến về nguồn gốc đất?",
        requested_by=people["officer"], requested_at=dossier.submitted_at, due_at=dossier.due_at,
    )  # fmt: skip
    draft = DossierDraft.objects.create(owner=owner, procedure=office["procedure"], agency=agency)

    def file(role: str = AttachmentRole.FILED, **holder: Any) -> Attachment:
        return Attachment.objects.create(
            role=role, uploaded_by=owner, name="giay.pdf", file="x.pdf", content_type="application/pdf",
            size=len(PDF), sha256="0" * 64, **holder,
        )  # fmt: skip

    stored = StoredDocument.objects.create(
        owner=owner, kind=StoredDocumentKind.UPLOAD, name="cccd.pdf", content_type="application/pdf", size=1,
        sha256="1" * 64, file="y.pdf",
    )  # fmt: skip
    return {
        "people": people,
        "dossier": dossier,
        "consultation": consultation,
        "complaint": Complaint.objects.create(dossier=dossier, author=owner, content="Quá hạn."),
        "draft": draft,
        "filed": file(dossier=dossier),
        "result": file(AttachmentRole.RESULT, dossier=dossier),
        "draft_file": file(draft=draft),
        "stored": stored,
    }


def matches(model: type[Any], rule: Q, obj: Any) -> bool:
    """Whether the `*_filter` rule lets this row through."""
    rows: QuerySet[Any] = model.objects.filter(rule)
    return rows.filter(pk=obj.pk).exists()


Rule = Callable[[Any, dict[str, Any]], bool]
T, F = True, False
# rule -> (owner, other_citizen, officer, parent_officer, outsider, consulted, province_admin, anonymous)
TABLE: dict[str, tuple[Rule, tuple[bool, ...]]] = {
    "dossiers_actionable_filter": (
        lambda u, w: matches(Dossier, access.dossiers_actionable_filter(u), w["dossier"]),
        (T, F, T, T, F, F, T, F),
    ),
    "may_act_on_dossier": (lambda u, w: access.may_act_on_dossier(u, w["dossier"]), (T, F, T, T, F, F, T, F)),
    "dossiers_consulted_filter": (
        lambda u, w: matches(Dossier, access.dossiers_consulted_filter(u), w["dossier"]),
        (F, F, F, F, F, T, F, F),
    ),
    "may_read_as_consulted": (lambda u, w: access.may_read_as_consulted(u, w["dossier"]), (F, F, F, F, F, T, F, F)),
    "dossiers_visible_filter": (
        lambda u, w: matches(Dossier, access.dossiers_visible_filter(u), w["dossier"]),
        (T, F, T, T, F, T, T, F),
    ),
    "may_see_dossier": (lambda u, w: access.may_see_dossier(u, w["dossier"]), (T, F, T, T, F, T, T, F)),
    "may_download_document receipt (01)": (
        lambda u, w: access.may_download_document(u, w["dossier"], DocumentKind.RECEIPT),
        (T, F, T, T, F, T, T, F),
    ),
    "may_download_document control sheet (06)": (
        lambda u, w: access.may_download_document(u, w["dossier"], DocumentKind.CONTROL_SHEET),
        (F, F, T, T, F, T, T, F),
    ),
    "may_rate_dossier": (lambda u, w: access.may_rate_dossier(u, w["dossier"]), (T, F, F, F, F, F, F, F)),
    "may_file_complaint": (lambda u, w: access.may_file_complaint(u, w["dossier"]), (T, F, F, F, F, F, F, F)),
    "complaints_answerable_filter": (
        lambda u, w: matches(Complaint, access.complaints_answerable_filter(u), w["complaint"]),
        (F, F, T, T, F, F, F, F),
    ),
    "may_answer_complaint": (lambda u, w: access.may_answer_complaint(u, w["complaint"]), (F, F, T, T, F, F, F, F)),
    "consultations_answerable_filter": (
        lambda u, w: matches(Consultation, access.consultations_answerable_filter(u), w["consultation"]),
        (F, F, F, F, F, T, F, F),
    ),
    "may_answer_consultation": (
        lambda u, w: access.may_answer_consultation(u, w["consultation"]),
        (F, F, F, F, F, T, F, F),
    ),
    "drafts_usable_filter": (
        lambda u, w: matches(DossierDraft, access.drafts_usable_filter(u), w["draft"]),
        (T, F, F, F, F, F, F, F),
    ),
    "may_use_draft": (lambda u, w: access.may_use_draft(u, w["draft"]), (T, F, F, F, F, F, F, F)),
    "stored_documents_usable_filter": (
        lambda u, w: matches(StoredDocument, access.stored_documents_usable_filter(u), w["stored"]),
        (T, F, F, F, F, F, F, F),
    ),
    "may_use_stored_document": (
        lambda u, w: access.may_use_stored_document(u, w["stored"]),
        (T, F, F, F, F, F, F, F),
    ),
    "attachments_visible_filter, a filed file": (
        lambda u, w: matches(Attachment, access.attachments_visible_filter(u), w["filed"]),
        (T, F, T, T, F, T, T, F),
    ),
    "attachments_visible_filter, a result": (
        lambda u, w: matches(Attachment, access.attachments_visible_filter(u), w["result"]),
        (T, F, T, T, F, F, T, F),
    ),
    "attachments_visible_filter, a draft's file": (
        lambda u, w: matches(Attachment, access.attachments_visible_filter(u), w["draft_file"]),
        (T, F, F, F, F, F, F, F),
    ),
    "may_change_attachment, a dossier's file": (
        lambda u, w: access.may_change_attachment(u, w["filed"]),
        (T, F, T, T, F, F, T, F),
    ),
    "may_change_attachment, a draft's file": (
        lambda u, w: access.may_change_attachment(u, w["draft_file"]),
        (T, F, F, F, F, F, F, F),
    ),
    "may_add_to_dossier, a supplement": (
        lambda u, w: access.may_add_to_dossier(u, w["dossier"], role=AttachmentRole.SUPPLEMENT, digitised=False),
        (T, F, F, F, F, F, F, F),
    ),
    "may_add_to_dossier, a desk scan": (
        lambda u, w: access.may_add_to_dossier(u, w["dossier"], role=AttachmentRole.FILED, digitised=True),
        (F, F, T, T, F, F, F, F),
    ),
    "may_add_to_dossier, a result": (
        lambda u, w: access.may_add_to_dossier(u, w["dossier"], role=AttachmentRole.RESULT, digitised=False),
        (F, F, T, T, F, F, F, F),
    ),
}


@pytest.mark.parametrize("rule", list(TABLE))
def test_the_policy_table(world, rule):
    # given every kind of person, when each asks
    decide, expected = TABLE[rule]
    answers = {who: decide(world["people"][who], world) for who in PEOPLE}

    # then exactly the table's row
    assert answers == dict(zip(PEOPLE, expected, strict=True))


def test_the_agency_scope_is_read_once_per_user(world):
    officer = world["people"]["parent_officer"]

    with CaptureQueriesContext(connection) as queries:
        first = access.agency_scope(officer)
        again = access.agency_scope(officer)

    assert first == again == {world["dossier"].agency_id, officer.memberships.get().agency_id}
    assert len(queries) == 3  # the memberships, then the agencies below, two levels deep


# --- the pages answer by the policy ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def filed(office, media):
    """A dossier submitted online with one file, and the result an officer put on it."""
    citizen = office["people"][Role.CITIZEN]
    component = ComponentFactory(procedure=office["procedure"], name="Giấy khai sinh")
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    attachment_add(
        owner_user=citizen, draft=draft, component=component,
        upload=SimpleUploadedFile("khai-sinh.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant=citizen,
        applicant_name="Nguyễn Văn An",
    )  # fmt: skip
    attachments_move_to_dossier(draft=draft, dossier=dossier)
    result = attachment_add(
        owner_user=office["people"][Role.SPECIALIST], dossier=dossier, component=None, role=AttachmentRole.RESULT,
        upload=SimpleUploadedFile("quyet-dinh.pdf", PDF + b"kq", content_type="application/pdf"),
    )  # fmt: skip
    return {"dossier": dossier, "file": dossier.attachments.get(role=AttachmentRole.FILED), "result": result}


def test_another_citizen_finds_nothing_of_someone_elses(client, office, filed):
    # given a citizen who did not file the dossier, and the owner's unsubmitted draft and store
    dossier = filed["dossier"]
    owner = office["people"][Role.CITIZEN]
    draft = DossierDraft.objects.create(owner=owner, procedure=office["procedure"], agency=office["agency"])
    stored = StoredDocument.objects.get(owner=owner)
    client.force_login(UserFactory(role=Role.CITIZEN))
    events_before, documents_before = DossierEvent.objects.count(), DossierDocument.objects.count()

    # when they try every address of it
    answers = {
        name: client.get(url).status_code
        for name, url in {
            "dossier": reverse("dossiers:my_dossier", args=[dossier.code]),
            "file": reverse("dossiers:attachment_download", args=[filed["file"].uuid]),
            "result": reverse("dossiers:attachment_download", args=[filed["result"].uuid]),
            "receipt": reverse("dossiers:my_dossier_document", args=[dossier.code, DocumentKind.RECEIPT]),
            "draft": reverse("dossiers:draft_files", args=[draft.token]),
            "stored document": reverse("dossiers:stored_document_download", args=[stored.uuid]),
        }.items()
    }
    rating = client.post(reverse("dossiers:my_dossier_rate", args=[dossier.code]), {"score": 5})

    # then not found, every time, as for what does not exist; and nothing was issued or written
    assert answers == dict.fromkeys(answers, 404)
    assert rating.status_code == 404
    assert (DossierEvent.objects.count(), DossierDocument.objects.count()) == (events_before, documents_before)
    assert not Rating.objects.filter(dossier=dossier).exists()


def test_the_applicant_sees_their_forms_but_never_the_control_sheet(client, office, filed):
    # given form 02 and the control sheet (06) issued for the dossier
    dossier = filed["dossier"]
    for kind in (DocumentKind.SUPPLEMENT_REQUEST, DocumentKind.CONTROL_SHEET):
        DossierDocument.objects.create(dossier=dossier, kind=kind, file=f"mau-{kind}.pdf", sha256="2" * 64)
    client.force_login(office["people"][Role.CITIZEN])

    # when the applicant opens the dossier and asks for the sheet
    page = client.get(reverse("dossiers:my_dossier", args=[dossier.code])).content.decode()
    sheet = client.get(reverse("dossiers:my_dossier_document", args=[dossier.code, DocumentKind.CONTROL_SHEET]))

    # then form 02 is listed, the sheet neither listed nor served
    assert reverse("dossiers:my_dossier_document", args=[dossier.code, DocumentKind.SUPPLEMENT_REQUEST]) in page
    assert reverse("dossiers:my_dossier_document", args=[dossier.code, DocumentKind.CONTROL_SHEET]) not in page
    assert sheet.status_code == 404


def test_an_officer_of_another_agency_gets_404_for_the_dossier_its_files_and_forms(client, office, filed):
    client.force_login(UserFactory(role=Role.SPECIALIST, agencies=[AgencyFactory(code="000.00.40.H42")]))
    dossier = filed["dossier"]
    before = DossierDocument.objects.count()

    answers = [
        client.get(reverse("dossiers:detail", args=[dossier.code])).status_code,
        client.get(reverse("dossiers:attachment_download", args=[filed["file"].uuid])).status_code,
        client.get(reverse("dossiers:document", args=[dossier.code, DocumentKind.RECEIPT])).status_code,
    ]

    assert answers == [404, 404, 404]
    assert DossierDocument.objects.count() == before


def test_a_consulted_officer_reads_the_files_but_not_the_result_nor_the_upload(client, office, filed):
    """Hole closed: the dossier page listed the result's name (whose download was refused) and
    offered the upload form to the consulted agency, which may not add files."""
    # given an officer of the agency asked for its opinion
    consulted_agency = AgencyFactory(code="000.00.30.H42")
    dossier = filed["dossier"]
    Consultation.objects.create(
        dossier=dossier, agency=consulted_agency, question="Ý kiến?", requested_by=office["people"][Role.SPECIALIST],
        requested_at=dossier.submitted_at, due_at=dossier.due_at,
    )  # fmt: skip
    client.force_login(UserFactory(role=Role.SPECIALIST, agencies=[consulted_agency]))

    # when they open the dossier and its files
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    file = client.get(reverse("dossiers:attachment_download", args=[filed["file"].uuid]))
    result = client.get(reverse("dossiers:attachment_download", args=[filed["result"].uuid]))

    # then the filed papers, not the result, and no upload
    assert "khai-sinh.pdf" in page
    assert "quyet-dinh.pdf" not in page
    assert reverse("dossiers:officer_upload", args=[dossier.code]) not in page
    assert (file.status_code, result.status_code) == (200, 404)


def test_the_own_agency_sees_every_file_and_the_upload(client, office, filed):
    client.force_login(office["people"][Role.SPECIALIST])

    page = client.get(reverse("dossiers:detail", args=[filed["dossier"].code])).content.decode()

    assert "khai-sinh.pdf" in page
    assert "quyet-dinh.pdf" in page
    assert reverse("dossiers:officer_upload", args=[filed["dossier"].code]) in page


def test_a_complaint_of_another_agency_is_404_even_with_an_empty_answer(client, office):
    """Hole closed: the answer page fetched any complaint by id and, on an empty answer, redirected
    to its dossier's page, so an officer anywhere could learn the code of any dossier complained about."""
    # given a complaint about a dossier of the office's agency
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    complaint = Complaint.objects.create(dossier=dossier, author=dossier.applicant, content="Quá hạn.")
    client.force_login(UserFactory(role=Role.SPECIALIST, agencies=[AgencyFactory(code="000.00.40.H42")]))

    # when an officer of another agency posts an empty answer to it
    response = client.post(reverse("dossiers:complaint_reply", args=[complaint.pk]), {"answer": ""})

    # then not found, the dossier's code nowhere in the answer, the complaint untouched
    assert response.status_code == 404
    assert dossier.code not in response.get("Location", "") + response.content.decode()
    complaint.refresh_from_db()
    assert (complaint.answer, complaint.answered_at) == ("", None)


@pytest.mark.parametrize("who", ["officer", "consulted"])
def test_the_officer_page_reads_the_scope_once(client, office, who, django_assert_max_num_queries):
    """It used to compute the agency scope three times (the dossier, the consulted check, the page's
    own check): 14 queries, 18 for a consulted officer. Now once, memoised, and one dossier query."""
    # given a dossier of the office, another agency's dossier the office was consulted on
    own = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    elsewhere = DossierFactory(procedure=office["procedure"], agency=AgencyFactory(code="000.00.40.H42"))
    Consultation.objects.create(
        dossier=elsewhere, agency=office["agency"], question="Ý kiến?", requested_by=office["people"][Role.LEADER],
        requested_at=elsewhere.submitted_at, due_at=elsewhere.due_at,
    )  # fmt: skip
    client.force_login(office["people"][Role.SPECIALIST])
    dossier = own if who == "officer" else elsewhere
    client.get(reverse("dossiers:detail", args=[own.code]))  # the working calendar is cached per process

    # when the page is read
    # (13: the components replaced by national data joined the page, Resolution 66.7/2025)
    with django_assert_max_num_queries(13) as queries:
        response = client.get(reverse("dossiers:detail", args=[dossier.code]))

    # then the memberships were read once
    assert response.status_code == 200
    assert sum('FROM "accounts_agencymembership"' in q["sql"] for q in queries.captured_queries) == 1


def test_only_the_policy_computes_the_agency_scope():
    """The scope is read through access.agency_scope (memoised), never recomputed beside it."""
    root = Path(__file__).resolve().parents[2] / "dossiers"
    callers = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py") if "user_agency_scope" in path.read_text("utf-8")
    )

    assert callers == ["access.py"]
