"""Phản ánh, kiến nghị: the applicant complains about their dossier, one open at a time; an
officer of the dossier's agency answers once; others see nothing."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.constants import Role
from dossiers.complaints import complaint_answer, complaint_file, complaints_open_for_user
from dossiers.exceptions import ComplaintClosed, ComplaintEmpty, ComplaintOpen, DossierNotFound
from dossiers.models import Complaint
from dvctt.celery import app as celery_app
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, UserFactory

R = Role.RECEPTION_OFFICER


@pytest.fixture
def case(office):
    citizen = office["people"][Role.CITIZEN]
    dossier = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant=citizen, applicant_email="an@example.vn"
    )
    other_agency = AgencyFactory(code="000.00.20.H42", name="Công an tỉnh", level=AgencyLevel.DEPARTMENT)
    return {
        **office,
        "citizen": citizen,
        "dossier": dossier,
        "outsider": UserFactory(role=R, full_name="Ngô Văn Hùng", agencies=[other_agency]),
    }


def test_the_applicant_complains_and_an_officer_answers_once(case, django_capture_on_commit_callbacks, monkeypatch):
    # the mail task runs where it is published (with Redis in CI it would wait for a worker)
    monkeypatch.setattr(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", True)  # as Celery reads it from Django
    complaint = complaint_file(dossier=case["dossier"], citizen=case["citizen"], content="  Quá hạn 3 ngày  ")
    assert complaint.content == "Quá hạn 3 ngày"
    assert list(complaints_open_for_user(user=case["people"][R])) == [complaint]

    with pytest.raises(ComplaintOpen):  # a second one waits for the answer (a double submit too)
        complaint_file(dossier=case["dossier"], citizen=case["citizen"], content="Lần hai")
    assert Complaint.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after the commit
        complaint_answer(complaint_id=complaint.pk, actor=case["people"][R], answer="Đã trả kết quả hôm nay.")
    complaint.refresh_from_db()
    assert complaint.answered_by == case["people"][R]
    assert complaint.answer == "Đã trả kết quả hôm nay."
    assert list(complaints_open_for_user(user=case["people"][R])) == []
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert "Đã trả kết quả hôm nay." in mail.outbox[0].body
    with pytest.raises(ComplaintClosed):
        complaint_answer(complaint_id=complaint.pk, actor=case["people"][R], answer="Lần nữa")
    # both steps are in the audit trail
    assert LogEntry.objects.filter(object_id=str(complaint.pk)).count() == 2

    # answered: a new complaint may be filed
    complaint_file(dossier=case["dossier"], citizen=case["citizen"], content="Kết quả sai tên")
    assert Complaint.objects.count() == 2


def test_only_the_applicant_files_and_only_officers_in_scope_answer(case):
    stranger = UserFactory(role=Role.CITIZEN)
    with pytest.raises(DossierNotFound):
        complaint_file(dossier=case["dossier"], citizen=stranger, content="Không phải hồ sơ của tôi")
    with pytest.raises(ComplaintEmpty):
        complaint_file(dossier=case["dossier"], citizen=case["citizen"], content="   ")
    complaint = complaint_file(dossier=case["dossier"], citizen=case["citizen"], content="Chậm")
    for actor in (case["outsider"], stranger):
        with pytest.raises(DossierNotFound):
            complaint_answer(complaint_id=complaint.pk, actor=actor, answer="Trả lời")
    assert list(complaints_open_for_user(user=case["outsider"])) == []
    complaint.refresh_from_db()
    assert complaint.answered_at is None


def test_through_the_pages(case, client):
    dossier = case["dossier"]
    client.force_login(case["citizen"])
    page = client.get(reverse("dossiers:my_dossier", args=[dossier.code]))
    assert "Gửi phản ánh, kiến nghị về hồ sơ này" in page.content.decode()

    empty = client.post(reverse("dossiers:my_dossier_complain", args=[dossier.code]), {"content": ""}, follow=True)
    assert "Vui lòng nhập nội dung phản ánh, kiến nghị" in empty.content.decode()
    sent = client.post(
        reverse("dossiers:my_dossier_complain", args=[dossier.code]), {"content": "Chưa thấy ai gọi"}, follow=True
    )
    body = sent.content.decode()
    assert "Đã gửi phản ánh, kiến nghị." in body
    assert "Đang chờ cơ quan giải quyết trả lời." in body
    assert "Gửi phản ánh, kiến nghị về hồ sơ này" not in body  # one open at a time
    again = client.post(reverse("dossiers:my_dossier_complain", args=[dossier.code]), {"content": "Lại"}, follow=True)
    assert "đang được xem xét" in again.content.decode()
    complaint = Complaint.objects.get()

    client.force_login(case["outsider"])
    assert client.get(reverse("dossiers:complaints")).content.decode().count(dossier.code) == 0
    refused = client.post(reverse("dossiers:complaint_reply", args=[complaint.pk]), {"answer": "Xin lỗi"})
    assert refused.status_code == 404

    client.force_login(case["people"][R])
    inbox = client.get(reverse("dossiers:complaints")).content.decode()
    assert dossier.code in inbox
    assert "Chưa thấy ai gọi" in inbox
    detail = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert f'action="{reverse("dossiers:complaint_reply", args=[complaint.pk])}"' in detail
    client.post(reverse("dossiers:complaint_reply", args=[complaint.pk]), {"answer": "Đã liên hệ lại."})

    client.force_login(case["citizen"])
    page = client.get(reverse("dossiers:my_dossier", args=[dossier.code])).content.decode()
    assert "Đã liên hệ lại." in page
    assert "Gửi phản ánh, kiến nghị về hồ sơ này" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_answering_at_once_answer_once(office):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    citizen = office["people"][Role.CITIZEN]
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=citizen)
    complaint = complaint_file(dossier=dossier, citizen=citizen, content="Chậm")
    second = UserFactory(role=Role.SPECIALIST, agencies=[office["agency"]])
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(actor, text):
        try:
            barrier.wait()
            complaint_answer(complaint_id=complaint.pk, actor=actor, answer=text)
            outcomes.append("answered")
        except ComplaintClosed:
            outcomes.append("closed")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(office["people"][R], "Một")),
        threading.Thread(target=answer, args=(second, "Hai")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "closed"]
    complaint.refresh_from_db()
    assert complaint.answer in {"Một", "Hai"}


def test_the_shared_answer_once_refuses_a_second_answer_with_the_callers_message(db):
    from django.utils import timezone

    from dossiers.answers import answer_once
    from dossiers.exceptions import ComplaintClosed, ComplaintEmpty
    from dossiers.models import Complaint
    from tests.factories import DossierFactory, UserFactory

    dossier = DossierFactory()
    officer = UserFactory()
    complaint = Complaint.objects.create(dossier=dossier, author=UserFactory(), content="Chậm trả kết quả")
    answer_once(complaint, text="Đã xử lý", actor=officer, closed=ComplaintClosed(), empty=ComplaintEmpty())

    with pytest.raises(ComplaintClosed) as refused:
        answer_once(complaint, text="Lần hai", actor=officer, closed=ComplaintClosed(), empty=ComplaintEmpty())

    assert str(refused.value) == "Phản ánh này đã được trả lời."
    complaint.refresh_from_db()
    assert (complaint.answer, complaint.answered_by) == ("Đã xử lý", officer)
    assert complaint.answered_at <= timezone.now()
