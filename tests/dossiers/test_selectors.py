import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dossiers.selectors import dossier_remaining
from tests.factories import DossierFactory
from workflows.constants import Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN)  # Wednesday


@pytest.mark.parametrize(
    ("due", "status", "band", "text"),
    [
        (dt.datetime(2026, 11, 26, 14, 30, tzinfo=VN), Status.PROCESSING, "on-track", "Còn 1 ngày 3,5 giờ làm việc"),
        (dt.datetime(2026, 11, 26, 9, 0, tzinfo=VN), Status.PROCESSING, "due-soon", "Còn 1 ngày làm việc"),
        (dt.datetime(2026, 11, 25, 11, 0, tzinfo=VN), Status.RECEIVED, "due-soon", "Còn 2 giờ làm việc"),
        (dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), Status.PROCESSING, "overdue", "Quá hạn 1 ngày làm việc"),
        (dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), Status.SUPPLEMENT_REQUESTED, "paused", "Tạm dừng, chờ bổ sung"),
        (dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), Status.RETURNED, "done", "Đã xử lý xong"),
    ],
)
def test_remaining_working_time_in_words_and_colour(db, due, status, band, text):
    # 24/11 is a public holiday: Monday 09:00 to Wednesday 09:00 is one working day late.
    dossier = DossierFactory(due_at=due, status=status)

    remaining = dossier_remaining(dossier=dossier, now=NOW)

    assert (remaining.band, remaining.text) == (band, text)
