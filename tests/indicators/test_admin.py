from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from accounts.constants import Role
from indicators.models import IndicatorRule
from tests.factories import UserFactory


def _change(client, rule, **changes):
    data = {
        "code": rule.code, "group_code": rule.group_code, "name": rule.name, "measure": rule.measure,
        "max_points": rule.max_points, "formula_kind": rule.formula_kind,
        "threshold_percent": rule.threshold_percent or "", "effective_from": rule.effective_from.isoformat(),
        "note": rule.note, **changes,
    }  # fmt: skip
    return client.post(reverse("admin:indicators_indicatorrule_change", args=[rule.pk]), data)


def test_a_province_admin_changes_a_threshold_and_the_change_is_logged(client, db):
    # given
    admin = UserFactory(province_admin=True)
    client.force_login(admin)
    rule = IndicatorRule.objects.get(code="3.3")

    # when
    response = _change(client, rule, threshold_percent="60")

    # then
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold_percent == Decimal(60)
    entry = LogEntry.objects.get(object_id=str(rule.pk))
    assert (entry.user_id, entry.action_flag) == (admin.pk, CHANGE)


def test_a_leader_cannot_change_rules(client, db):
    # given a staff leader (staff, yet not a province admin)
    leader = UserFactory(role=Role.LEADER, is_staff=True)
    client.force_login(leader)
    rule = IndicatorRule.objects.get(code="3.3")

    # when
    response = _change(client, rule, threshold_percent="10")

    # then
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.threshold_percent == Decimal(50)
    assert not LogEntry.objects.exists()
