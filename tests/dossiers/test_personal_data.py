"""Decree 13/2023: a citizen downloads everything held about them, and stale drafts do not linger."""

import datetime as dt
import json

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from dossiers.drafts.services import drafts_expire
from dossiers.models import Attachment, Complaint, DossierDraft, Payment, Rating
from tests.factories import DossierFactory, UserFactory
from tests.files import PDF


def test_the_export_holds_the_persons_dossiers_and_nothing_of_others(client, office, django_assert_max_num_queries):
    # given a citizen with a dossier (rated, paid) and a draft, and another citizen with a dossier
    me = UserFactory(username="037195123456", citizen_id="037195123456", full_name="Trần Thị Mai", role=Role.CITIZEN)
    other = UserFactory(username="001088012345", citizen_id="001088012345", full_name="Lê Minh Tuấn")
    mine = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant=me, applicant_name="Trần Thị Mai"
    )
    theirs = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant=other, applicant_name="Lê Minh Tuấn"
    )
    Rating.objects.create(dossier=mine, score=4, comment="Tốt")
    Complaint.objects.create(dossier=mine, author=me, content="Chậm trả kết quả")
    Complaint.objects.create(dossier=theirs, author=other, content="Phản ánh của người khác")
    Payment.objects.create(ref="P-1", dossier=mine, payer=me, amount=8_000, status="paid")
    DossierDraft.objects.create(owner=me, procedure=office["procedure"], form_data={"ho_ten_tre": "Khang"})
    client.force_login(me)

    # when she downloads her data
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dossiers:personal_data"))

    # then a JSON file with her profile, dossier, history, payment, rating and draft, nothing of the other
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-')
    data = json.loads(response.content)
    assert data["profile"]["citizen_id"] == "037195123456"
    assert [d["code"] for d in data["dossiers"]] == [mine.code]
    assert data["dossiers"][0]["rating"] == {"score": 4, "comment": "Tốt"}
    assert [c["content"] for c in data["dossiers"][0]["complaints"]] == ["Chậm trả kết quả"]
    assert data["dossiers"][0]["payments"][0]["ref"] == "P-1"
    assert data["drafts"][0]["answers"] == {"ho_ten_tre": "Khang"}
    text = response.content.decode()
    assert theirs.code not in text
    assert "001088012345" not in text
    assert "Lê Minh Tuấn" not in text
    assert "Phản ánh của người khác" not in text


def test_the_export_needs_a_login(client, db):
    response = client.get(reverse("dossiers:personal_data"))

    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_stale_unsubmitted_drafts_are_deleted_with_their_files(office, settings, django_capture_on_commit_callbacks):
    # given three drafts of a citizen: stale, stale but paid, and recent
    settings.DRAFT_RETENTION_DAYS = 90
    citizen = office["people"][Role.CITIZEN]
    long_ago = timezone.now() - dt.timedelta(days=120)
    with time_machine.travel(long_ago, tick=False):
        stale = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
        paid = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
        Payment.objects.create(ref="P-2", draft=paid, payer=citizen, amount=5_000, status="paid")
        file = Attachment.objects.create(
            draft=stale, uploaded_by=citizen, name="a.pdf", file=SimpleUploadedFile("a.pdf", PDF),
            content_type="application/pdf", size=len(PDF), sha256="0" * 64,
        )  # fmt: skip
    recent = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    storage, name = file.file.storage, file.file.name
    assert storage.exists(name)

    # when the nightly job runs
    with django_capture_on_commit_callbacks(execute=True):
        deleted = drafts_expire()

    # then only the stale, unpaid draft is gone, and its file with it
    assert deleted == 1
    assert set(DossierDraft.objects.values_list("pk", flat=True)) == {paid.pk, recent.pk}
    assert not Attachment.objects.filter(pk=file.pk).exists()
    assert not storage.exists(name)
    assert not DossierDraft.objects.filter(pk=stale.pk).exists()


def test_the_profile_offers_the_download_and_states_the_retention(client, office, settings):
    settings.DRAFT_RETENTION_DAYS = 60
    client.force_login(office["people"][Role.CITIZEN])

    html = client.get(reverse("accounts:profile")).content.decode()

    assert reverse("dossiers:personal_data") in html
    assert "tự động bị xóa sau 60 ngày không thay đổi" in html
