"""Decision 766 on a controlled province, against figures computed by hand from the formula document.

October 2026 (period [1/10, 1/11), ended: the end of processing of a running dossier is 1/11 00:00).
Two agencies, A (Sở Tư pháp) and B (UBND phường), five procedures:
    P1 Khai sinh       online (full), citizens,   paper result, complete a–g, no fee   — A, B
    P2 Xây dựng        online (partial), business, paper result, complete,   fee 100k  — A, B (B: no dossier)
    P3 Chứng thực      online (full), citizens,   no paper result, INCOMPLETE (no steps, no components), fee 20k — A, B
    P4 Xác nhận        information only, citizens, paper result, complete, no fee        — B
    P5 Kinh doanh      online (full), business,   paper result, complete,   fee 50k     — B
Services (procedure × agency): (P1,A) (P2,A) (P3,A) (P1,B) (P2,B) (P3,B) (P4,B) (P5,B); online: all but (P4,B).

The dossiers (received 9:00 on the day; "res" an electronic result file, "comp" a component file,
"sync" synced to DVCQG; the end of processing in brackets):
 A  1 P1 online   1/10 due 8/10  [returned 3/10]  res comp sync vneid, rating 4  on time
 A  2 P1 online   2/10 due 9/10  [12/10]          res comp sync population       late
 A  3 P1 national 3/10 due 10/10 [6/10]           res comp(national store) sync  on time
 A  4 P1 direct   6/10 due 13/10 running          comp, complaint 25/10 open     overdue
 A  5 P1 direct  20/10 due 5/11  running          sync                           on time (running)
 A  6 P1 post     7/10 due 14/10 supplement asked 10/10 (1st), waiting; sync     on time (asked in time)
 A  7 P1 online   8/10 due 20/10 [18/10] 2 supplements; res comp sync            late (> 1 supplement)
 A  8 P2 online   9/10 due 30/10 [15/10]          res comp sync, paid online     on time
 A  9 P2 direct  10/10 due 30/10 [16/10]          res comp sync, paid at desk    on time
 A 10 P2 online  11/10 due 30/10 [stopped 14/10]  comp sync                      on time
 A 11 P3 online  12/10 due 15/10 [14/10]          sync, paid online              on time
 A 12 P3 online  13/10 due 16/10 [withdrawn 20/10] not synced                    late
 A 13 P3 direct  refused at reception 14/10 (never received)                     not counted
 A 14 P1 online  25/9  due 2/10  [5/10]           res sync; complaint 10/9… see below  late (September dossier)
 A 15 P1 direct  20/9  due 27/9  [28/9]           ended before October           not counted
 A 16 P3 online  15/10 due 22/10 [17/10]          sync vneid, paid online, rating 1 (dislike)  on time
 A 17 P1 online  16/10 due 23/10 [20/10]          res comp sync, complaint 21/10 answered 24/10  on time
 A 18 P2 online  17/10 due 31/10 running          comp sync                      overdue (31/10 9:00 < 1/11)
 B 19 P1 online   1/10 due 8/10  [2/10]           res comp sync vneid reused     on time
 B 20 P1 direct   2/10 due 9/10  [9/10 8:00]      res comp sync                  on time
 B 21 P1 post     3/10 due 10/10 [15/10]          comp sync (no e-result)        late
 B 22 P3 direct   4/10 due 11/10 [6/10]           sync, paid at desk             on time
 B 23 P3 online   5/10 due 12/10 [7/10]           sync, paid online, rating 5, complaint 8/10 answered 5/11  on time
 B 24 P4 direct   6/10 due 13/10 [8/10]           res comp sync population       on time
 B 25 P4 direct   7/10 due 14/10 running, 2 supplements, not synced              late
 B 26 P5 online   8/10 due 22/10 [13/10]          res comp sync, paid online     on time
 B 27 P5 national 9/10 due 23/10 [20/10]          comp sync (no e-result)        on time
 B 28 P5 online  28/9  due 12/10 running          sync                           overdue (September dossier)
 B 29 P1 online  10/10 due 17/10 [11/10]          res comp(national store) sync, rating 2 (dislike)  on time
 B 30 P3 online  11/10 due 18/10 supplement asked 20/10 (after due), waiting; sync  late
 B 31 P1 direct  12/10 due 19/10 [14/10]          res comp, NOT synced           on time
 B 32 P4 direct  refused at reception            not counted
Complaints: C1 on 17 (21/10 → 24/10, on time), C2 on 23 (8/10 → 5/11: past 15 working days, 29/10),
C3 on 4 (25/10, open; 15 working days run to mid-November: in time at 1/11), C4 on 14 (10/9 → 6/10:
15 working days from 10/9 end on 1/10, late).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers.constants import AttachmentRole, Channel, PauseKind, PaymentStatus
from dossiers.models import Attachment, Complaint, DossierPause, Payment, Rating, StoredDocument
from indicators import engine
from indicators.selectors import Scope, document_scores, period_month
from procedures.constants import AgencyLevel, OnlineLevel
from tests.factories import (
    AgencyFactory,
    ComponentFactory,
    DossierFactory,
    FeeFactory,
    ProcedureFactory,
    UserFactory,
)
from workflows.constants import Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=VN)
D = Decimal


def at(day: int, month: int = 10, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=VN)


def _file(dossier, *, role=AttachmentRole.FILED, **extra):
    return Attachment.objects.create(
        dossier=dossier, role=role, uploaded_by=dossier.applicant, name="tep.pdf", file="x",
        content_type="application/pdf", size=1, sha256="0" * 64, **extra,
    )  # fmt: skip


@pytest.fixture
def province(db):
    a = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    b = AgencyFactory(code="000.31.37.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD)
    empty = AgencyFactory(code="000.00.99.H42", name="Ban Quản lý", level=AgencyLevel.DEPARTMENT)
    p1 = ProcedureFactory(code="1.000001", name="Khai sinh", result_document="Giấy khai sinh", agencies=[a, b])
    p2 = ProcedureFactory(
        code="1.000002", name="Xây dựng", online_level=OnlineLevel.PARTIAL, partial_reason="Đối chiếu.",
        applicant_types=["business"], result_document="Giấy phép", agencies=[a, b],
    )  # fmt: skip
    p3 = ProcedureFactory(code="1.000003", name="Chứng thực", steps="", result_document="", agencies=[a, b])
    p4 = ProcedureFactory(
        code="1.000004", name="Xác nhận", online_level=OnlineLevel.INFORMATION, result_document="Giấy xác nhận",
        agencies=[b],
    )  # fmt: skip
    p5 = ProcedureFactory(
        code="1.000005", name="Kinh doanh", applicant_types=["business"], result_document="Giấy phép", agencies=[b]
    )
    for procedure in (p1, p2, p4, p5):
        ComponentFactory(procedure=procedure)
    FeeFactory(procedure=p2, amount=100_000)
    FeeFactory(procedure=p3, amount=20_000)
    FeeFactory(procedure=p5, amount=50_000)

    def dossier(n, agency, procedure, channel, received, due, *, end=None, status=None, synced=True, **extra):
        if status is None:
            status = Status.RETURNED if end else Status.PROCESSING
        done = status in (Status.PROCESSED, Status.RETURNED)
        return DossierFactory(
            code=f"000.00.12.H42-261001-{n:04d}", procedure=procedure, agency=agency, channel=channel,
            status=status, submitted_at=received or at(14), received_at=received, due_at=due,
            finished_at=end if done else None, returned_at=end if status == Status.RETURNED else None,
            closed_at=end if status in (Status.RETURNED, Status.STOPPED, Status.WITHDRAWN, Status.REFUSED) else None,
            national_synced_at=(received or at(14)) + dt.timedelta(hours=1) if synced else None,
            **extra,
        )  # fmt: skip

    on, nat, direct, post = Channel.ONLINE, Channel.NATIONAL_PORTAL, Channel.DIRECT, Channel.POST
    d = {}
    d[1] = dossier(1, a, p1, on, at(1), at(8), end=at(3))
    d[2] = dossier(2, a, p1, on, at(2), at(9), end=at(12), population_checked_at=at(2))
    d[3] = dossier(3, a, p1, nat, at(3), at(10), end=at(6))
    d[4] = dossier(4, a, p1, direct, at(6), at(13), synced=False)
    d[5] = dossier(5, a, p1, direct, at(20), at(5, month=11))
    d[6] = dossier(6, a, p1, post, at(7), at(14), status=Status.SUPPLEMENT_REQUESTED, supplement_count=1)
    d[7] = dossier(7, a, p1, on, at(8), at(20), end=at(18), supplement_count=2)
    d[8] = dossier(8, a, p2, on, at(9), at(30), end=at(15))
    d[9] = dossier(9, a, p2, direct, at(10), at(30), end=at(16))
    d[10] = dossier(10, a, p2, on, at(11), at(30), end=at(14), status=Status.STOPPED)
    d[11] = dossier(11, a, p3, on, at(12), at(15), end=at(14))
    d[12] = dossier(12, a, p3, on, at(13), at(16), end=at(20), status=Status.WITHDRAWN, synced=False)
    d[13] = dossier(13, a, p3, direct, None, None, end=at(14), status=Status.REFUSED, synced=False)
    d[14] = dossier(14, a, p1, on, at(25, month=9), at(2), end=at(5))
    d[15] = dossier(15, a, p1, direct, at(20, month=9), at(27, month=9), end=at(28, month=9))
    d[16] = dossier(16, a, p3, on, at(15), at(22), end=at(17))
    d[17] = dossier(17, a, p1, on, at(16), at(23), end=at(20))
    d[18] = dossier(18, a, p2, on, at(17), at(31))
    d[19] = dossier(19, b, p1, on, at(1), at(8), end=at(2))
    d[20] = dossier(20, b, p1, direct, at(2), at(9), end=at(9, hour=8))
    d[21] = dossier(21, b, p1, post, at(3), at(10), end=at(15))
    d[22] = dossier(22, b, p3, direct, at(4), at(11), end=at(6))
    d[23] = dossier(23, b, p3, on, at(5), at(12), end=at(7))
    d[24] = dossier(24, b, p4, direct, at(6), at(13), end=at(8), population_checked_at=at(6))
    d[25] = dossier(25, b, p4, direct, at(7), at(14), supplement_count=2, synced=False)
    d[26] = dossier(26, b, p5, on, at(8), at(22), end=at(13))
    d[27] = dossier(27, b, p5, nat, at(9), at(23), end=at(20))
    d[28] = dossier(28, b, p5, on, at(28, month=9), at(12))
    d[29] = dossier(29, b, p1, on, at(10), at(17), end=at(11))
    d[30] = dossier(30, b, p3, on, at(11), at(18), status=Status.SUPPLEMENT_REQUESTED, supplement_count=1)
    d[31] = dossier(31, b, p1, direct, at(12), at(19), end=at(14), synced=False)
    d[32] = dossier(32, b, p4, direct, None, None, end=at(14), status=Status.REFUSED, synced=False)

    for n in (1, 2, 3, 7, 8, 9, 14, 17, 19, 20, 24, 26, 29, 31):
        _file(d[n], role=AttachmentRole.RESULT)
    for n in (1, 2, 4, 7, 8, 9, 10, 17, 18, 19, 20, 21, 24, 26, 27, 31):
        _file(d[n])
    for n in (3, 29):
        _file(d[n], from_national_store=True)
    stored = StoredDocument.objects.create(
        owner=d[19].applicant, kind="other", name="cccd.pdf", file="x", content_type="application/pdf", size=1,
        sha256="0" * 64,
    )  # fmt: skip
    _file(d[19], reused_from=stored)
    for n in (1, 16, 19):
        d[n].applicant.vneid_verified_at = at(1)
        d[n].applicant.save(update_fields=["vneid_verified_at"])
    DossierPause.objects.create(
        dossier=d[6], kind=PauseKind.SUPPLEMENT, started_at=at(10), resume_status=Status.PROCESSING,
        due_before=at(14),
    )  # fmt: skip
    DossierPause.objects.create(
        dossier=d[30], kind=PauseKind.SUPPLEMENT, started_at=at(20), resume_status=Status.PROCESSING,
        due_before=at(18),
    )  # fmt: skip
    for ref, n in (("P8", 8), ("P11", 11), ("P16", 16), ("P23", 23), ("P26", 26)):
        Payment.objects.create(ref=ref, dossier=d[n], payer=d[n].applicant, amount=1, status=PaymentStatus.PAID)
    for n, score in ((1, 4), (16, 1), (23, 5), (29, 2)):
        Rating.objects.create(dossier=d[n], score=score, created_at=at(25))
    author = UserFactory()
    for n, created, answered in (
        (17, at(21), at(24)),
        (23, at(8), at(5, month=11)),
        (4, at(25), None),
        (14, at(10, month=9), at(6)),
    ):
        Complaint.objects.create(
            dossier=d[n], author=author, content="Phản ánh", created_at=created, answered_at=answered,
            answer="Đã trả lời" if answered else "",
        )  # fmt: skip
    return {"a": a, "b": b, "empty": empty, "dossiers": d}


# Expected figures, by hand from the document's wording (see the module docstring for the data).
# Counting October: A holds 16 dossiers (1–12, 14, 16–18; 13 refused at the desk, 15 ended in
# September), 15 of them received in October (not 14); B holds 13 (19–31), 12 received (not 28).
EXPECTED = {
    "province": {
        # 1.3: published 5, complete a–g 4 (P3 lacks steps and components) → 4/5 = 80% × 2 = 1.60
        "1.3": D("1.60"),
        # 1.4: received 27, synced 23 (not 4, 12, 25, 31) → 85.1852% × 6 = 5.111 → 5.11
        "1.4": D("5.11"),
        # 2.1: assessed 29, on time 10 (A) + 9 (B) = 19 → 65.5172% × 20 = 13.103 → 13.10
        "2.1": D("13.10"),
        # 3.1: online 4 of 5 procedures = 80% ≥ 80% → 2.00
        "3.1": D("2.00"),
        # 3.2: 7 online services, 6 with an online dossier ((P2,B) has none) → 85.7143% × 4 = 3.43
        "3.2": D("3.43"),
        # 3.3: online counted 9 (A: 1,2,3,7,8,11,12,16,17) + 5 (B: 19,23,26,29,30) = 14 of 27,
        # × sync 23/27 → 322/729 = 44.1701% < 50% → 44.1701 × 6 / 50 = 5.30
        "3.3": D("5.30"),
        # 3.5: fee procedures P2, P3, P5; each has a synced dossier with fee data → 100% → 2.00
        "3.5": D("2.00"),
        # 3.6: fee dossiers 7 (A: 8,9,10,18,11,12,16) + 5 (B: 22,23,30,26,27) = 12, paid online 5 → 41.6667% × 6 = 2.50
        "3.6": D("2.50"),
        # 4.1: paper-result dossiers 12 (A) + 9 (B) = 21, with e-result 7 + 6 = 13 → 61.9048% × 6 = 3.71
        "4.1": D("3.71"),
        # 4.2: digitised 7 (A: 1,2,3,7,8,9,17) + 6 (B: 19,20,24,26,29,31) = 13 / 27 = 48.1481% → /80 × 4 = 2.41
        "4.2": D("2.41"),
        # 4.3: reused 1 (19) / 27 = 3.7037% → /80 × 2 = 0.0926 → 0.09
        "4.3": D("0.09"),
        # 4.4: store file or synced result link: 7 (A: 1,2,3,7,8,9,17) + 5 (B: 19,20,24,26,29) = 12/27 → 44.4444% × 4 = 1.78
        "4.4": D("1.78"),
        # 4.5a: citizen procedures P1, P3, P4, each with a dossier using population data (P3 by 16) → 2.00
        "4.5a": D("2.00"),
        # 4.5b: 4 (A: 1,2,3,16) + 3 (B: 19,24,29) = 7/27 = 25.9259% × 2 = 0.52
        "4.5b": D("0.52"),
        # 5.2: C1 on time, C2 late (open at 1/11 past its 29/10 deadline), C3 in time, C4 late → 2/4 = 50% × 6 = 3.00
        "5.2": D("3.00"),
        # 5.3: received in October C1, C2, C3; C2 overdue → 2/3 = 66.6667% × 6 = 4.00
        "5.3": D("4.00"),
        # 5.4: late 10/29, with complaint or dislike 6/29 (4, 14, 16, 17, 23, 29) → 100 − 55.1724 = 44.8276% → /90 × 6 = 2.99
        "5.4": D("2.99"),
    },
    "a": {
        "1.3": None,  # not computed below the province (the document)
        # 1.4: 13 synced of 15 (not 4, 12) → 86.6667% × 6 = 5.20
        "1.4": D("5.20"),
        # 2.1: on time 1,3,5,6,8,9,10,11,16,17 = 10 of 16 → 62.5% × 20 = 12.50
        "2.1": D("12.50"),
        # 3.1: P1, P2, P3 all online → 2.00
        "3.1": D("2.00"),
        # 3.2: (P1,A) (P2,A) (P3,A) all with an online dossier → 4.00
        "3.2": D("4.00"),
        # 3.3: 9/15 × 13/15 = 52% ≥ 50% → 6.00
        "3.3": D("6.00"),
        # 3.5: P2 (8,9,10,18 synced), P3 (11) → 2/2 → 2.00
        "3.5": D("2.00"),
        # 3.6: paid online 8, 11, 16 of 7 → 42.8571% × 6 = 2.57
        "3.6": D("2.57"),
        # 4.1: 7 of 12 (P1: 1,2,3,4,5,6,7,17; P2: 8,9,10,18) → 58.3333% × 6 = 3.50
        "4.1": D("3.50"),
        # 4.2: 7/15 = 46.6667% → /80 × 4 = 2.33
        "4.2": D("2.33"),
        # 4.3: 0/15 → 0.00
        "4.3": D("0.00"),
        # 4.4: 7/15 = 46.6667% × 4 = 1.87
        "4.4": D("1.87"),
        # 4.5a: P1 (1,2,3), P3 (16) of P1, P3 → 2.00
        "4.5a": D("2.00"),
        # 4.5b: 4/15 = 26.6667% × 2 = 0.53
        "4.5b": D("0.53"),
        # 5.2: C1, C3 on time, C4 late → 2/3 × 6 = 4.00
        "5.2": D("4.00"),
        # 5.3: C1, C3 (received in October), neither overdue → 6.00
        "5.3": D("6.00"),
        # 5.4: late 6/16 = 37.5%, unhappy 4/16 = 25% (4, 14, 16, 17) → 37.5% → /90 × 6 = 2.50
        "5.4": D("2.50"),
    },
    "b": {
        "1.3": None,
        # 1.4: 10 of 12 (not 25, 31) → 83.3333% × 6 = 5.00
        "1.4": D("5.00"),
        # 2.1: on time 19,20,22,23,24,26,27,29,31 = 9 of 13 → 69.2308% × 20 = 13.85
        "2.1": D("13.85"),
        # 3.1: P1, P2, P3, P5 online of P1–P5 = 80% → 2.00
        "3.1": D("2.00"),
        # 3.2: (P1,B) (P3,B) (P5,B) used, (P2,B) not → 3/4 = 75% × 4 = 3.00
        "3.2": D("3.00"),
        # 3.3: counted 5/12 × synced 10/12 = 34.7222% → /50 × 6 = 4.17
        "3.3": D("4.17"),
        # 3.5: P3, P5 of P2, P3, P5 → 66.6667% → /80 × 2 = 1.67
        "3.5": D("1.67"),
        # 3.6: paid online 23, 26 of 5 → 40% × 6 = 2.40
        "3.6": D("2.40"),
        # 4.1: 6 of 9 (P1: 19,20,21,29,31; P4: 24,25; P5: 26,27) → 66.6667% × 6 = 4.00
        "4.1": D("4.00"),
        # 4.2: 6/12 = 50% → /80 × 4 = 2.50
        "4.2": D("2.50"),
        # 4.3: 1/12 = 8.3333% → /80 × 2 = 0.21
        "4.3": D("0.21"),
        # 4.4: 5/12 = 41.6667% × 4 = 1.67
        "4.4": D("1.67"),
        # 4.5a: P1 (19, 29), P4 (24) of P1, P3, P4 → 66.6667% × 2 = 1.33
        "4.5a": D("1.33"),
        # 4.5b: 3/12 = 25% × 2 = 0.50
        "4.5b": D("0.50"),
        # 5.2: C2 late → 0/1 → 0.00
        "5.2": D("0.00"),
        # 5.3: C2 overdue → 0/1 → 0.00
        "5.3": D("0.00"),
        # 5.4: late 4/13, unhappy 2/13 (23, 29) → 53.8462% → /90 × 6 = 3.59
        "5.4": D("3.59"),
    },
}
# Groups (points, N): the not-computable 1.1, 1.2, 3.5b, 4.CT (and 1.3 below the province) are out of N.
EXPECTED_GROUPS = {
    # 1: 1.60 + 5.11 = 6.71 / 8; 3: 2 + 3.43 + 5.30 + 2 + 2.50 = 15.23 / 20;
    # 4: 3.71 + 2.41 + 0.09 + 1.78 + 2 + 0.52 = 10.51 / 20; 5: 3 + 4 + 2.99 = 9.99 / 18
    "province": {
        "1": ("6.71", "8"),
        "2": ("13.10", "20"),
        "3": ("15.23", "20"),
        "4": ("10.51", "20"),
        "5": ("9.99", "18"),
    },
    # 3: 2 + 4 + 6 + 2 + 2.57 = 16.57; 4: 3.50 + 2.33 + 0 + 1.87 + 2 + 0.53 = 10.23; 5: 4 + 6 + 2.50 = 12.50
    "a": {"1": ("5.20", "6"), "2": ("12.50", "20"), "3": ("16.57", "20"), "4": ("10.23", "20"), "5": ("12.50", "18")},
    # 3: 2 + 3 + 4.17 + 1.67 + 2.40 = 13.24; 4: 4 + 2.50 + 0.21 + 1.67 + 1.33 + 0.50 = 10.21; 5: 0 + 0 + 3.59
    "b": {"1": ("5.00", "6"), "2": ("13.85", "20"), "3": ("13.24", "20"), "4": ("10.21", "20"), "5": ("3.59", "18")},
}
# Totals: province 6.71 + 13.10 + 15.23 + 10.51 + 9.99 = 55.54 / 86; A 5.20 + 12.50 + 16.57 + 10.23 + 12.50
# = 57.00 / 84; B 5.00 + 13.85 + 13.24 + 10.21 + 3.59 = 45.89 / 84.
EXPECTED_TOTAL = {"province": ("55.54", "86"), "a": ("57.00", "84"), "b": ("45.89", "84")}


@pytest.fixture
def october(province):
    with time_machine.travel(NOW, tick=False):
        scores = document_scores(
            period=period_month(year=2026, month=10),
            scope=Scope(),
            agency_ids=[province["a"].pk, province["b"].pk, province["empty"].pk],
        )
    return province, scores


def _results(province, scores):
    return {
        "province": scores.province,
        "a": scores.agencies[province["a"].pk],
        "b": scores.agencies[province["b"].pk],
    }


@pytest.mark.parametrize("who", ["province", "a", "b"])
def test_every_indicator_matches_the_hand_computed_figure(october, who):
    # given the controlled province, when October is scored
    result = _results(*october)[who]

    # then every computable indicator matches, and the rest say why they are not counted
    assert {code: result.get(code).points for code in EXPECTED[who]} == EXPECTED[who]
    for code in ("1.1", "1.2", "3.5b", "4.CT"):
        assert result.get(code).points is None
        assert result.get(code).reason
    if who != "province":
        assert result.get("1.3").reason == engine.PROVINCE_ONLY


@pytest.mark.parametrize("who", ["province", "a", "b"])
def test_groups_and_total_out_of_n_points(october, who):
    result = _results(*october)[who]

    assert {g.code: (str(g.points), str(int(g.scored_max))) for g in result.groups} == EXPECTED_GROUPS[who]
    assert (str(result.total_points), str(int(result.scored_max))) == EXPECTED_TOTAL[who]
    assert result.total_max == D(100)


def test_average_processing_time_is_displayed_not_scored(october):
    result = _results(*october)["province"]

    # 2.2: started in October and done: A 2+10+3+10+6+6+2+2+4 = 45 days over 9, B 1 + 6.9583 + 12 + 2 + 2 + 2
    # + 5 + 11 + 1 + 2 = 44.9583 over 10 → 89.9583 / 19 = 4.73 days
    assert result.get("2.2").display == "4,7 ngày"
    assert result.get("2.2").points is None


def test_an_agency_with_no_procedures_says_so_plainly(october):
    province, scores = october
    result = scores.agencies[province["empty"].pk]

    assert result.get("3.1").reason == engine.NO_PROCEDURES
    assert result.get("2.1").reason == engine.NO_DOSSIERS
    assert result.scored_max == 0
    assert result.total_points == 0


def test_a_period_with_no_dossiers_is_shown_as_such_never_as_zero(province):
    with time_machine.travel(NOW, tick=False):
        scores = document_scores(period=period_month(year=2026, month=3), scope=Scope())

    result = scores.province
    assert result.get("1.4").points is None
    assert result.get("1.4").reason == "Không có hồ sơ trong kỳ."
    assert result.get("5.2").reason == engine.NO_COMPLAINTS
    # procedure indicators do not depend on dossiers: 3.1 is still computed
    assert result.get("3.1").points == D("2.00")
