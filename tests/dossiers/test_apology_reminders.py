import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.constants import Role
from dossiers.notifications.tasks import apology_reminders_task
from tests.factories import DossierFactory
from tests.stores import clear_caches

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_MORNING = dt.datetime(2026, 11, 23, 7, 15, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_caches()
    yield
    clear_caches()


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_officers_hear_of_dossiers_due_within_a_working_day_once_a_day(office):
    # given a reception officer and a leader with addresses, a specialist without one
    for role in (Role.RECEPTION_OFFICER, Role.LEADER):
        office["people"][role].email = f"{role}@ubnd.example.vn"
        office["people"][role].save()
    soon = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], due_at=MONDAY_MORNING + dt.timedelta(hours=5)
    )
    DossierFactory(procedure=office["procedure"], agency=office["agency"], due_at=MONDAY_MORNING + dt.timedelta(days=9))

    # when the morning job runs, twice (a redelivered task)
    first = apology_reminders_task()
    second = apology_reminders_task()

    # then one e-mail lists only the dossier due today
    assert first == {"000.00.12.H42": 1}
    assert second == {}
    (message,) = mail.outbox
    assert sorted(message.to) == ["leader@ubnd.example.vn", "reception_officer@ubnd.example.vn"]
    assert message.subject == "1 hồ sơ sắp đến hạn cần xem xét xin lỗi"
    assert f"- {soon.code} (Thủ tục thử nghiệm): hẹn trả 12:15 23/11/2026" in message.body


@time_machine.travel(dt.datetime(2026, 11, 28, 7, 15, tzinfo=VN), tick=False)
def test_nothing_is_sent_on_a_day_off(office):
    office["people"][Role.RECEPTION_OFFICER].email = "tn@ubnd.example.vn"
    office["people"][Role.RECEPTION_OFFICER].save()
    DossierFactory(procedure=office["procedure"], agency=office["agency"], due_at=MONDAY_MORNING)

    assert apology_reminders_task() == {}  # Saturday 28 November 2026 is not a working day
    assert mail.outbox == []
