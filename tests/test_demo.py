from io import StringIO

import pytest
from django.core.management import call_command

from accounts.constants import Role
from accounts.models import AgencyMembership, User
from dossiers.models import Dossier, DossierEvent
from procedures.models import Agency, DossierComponent, Fee, Procedure, Sector
from procedures.selectors import procedure_completeness, procedure_search
from procedures.services import procedure_to_row, procedures_for_export


def state():
    return {
        "procedures": [procedure_to_row(p) for p in procedures_for_export()],
        "agencies": list(Agency.objects.order_by("code").values()),
        "sectors": list(Sector.objects.order_by("code").values()),
        "users": list(User.objects.order_by("username").values()),
        "memberships": list(AgencyMembership.objects.order_by("id").values()),
        "counts": (Fee.objects.count(), DossierComponent.objects.count()),
        "dossiers": list(Dossier.objects.order_by("code").values()),
        "events": list(DossierEvent.objects.order_by("id").values()),
    }


@pytest.fixture
def demo(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_prints_every_account_and_the_address(demo):
    assert "http://127.0.0.1:8000/" in demo
    assert "Demo@2026" in demo
    for username in ("037090001234", "tiepnhan", "chuyenvien", "lanhdao", "vanthu", "quantri", "admin"):
        assert username in demo


def test_demo_has_a_user_for_every_role_who_can_log_in(demo, client):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.all():
        assert client.login(username=user.username, password="Demo@2026"), user.username
    assert User.objects.get(username="quantri").has_perm("procedures.change_procedure")
    assert not User.objects.get(username="tiepnhan").has_perm("procedures.change_procedure")


def test_demo_catalogue_is_real_sized_and_complete(demo):
    published = Procedure.objects.filter(is_published=True).prefetch_related("components", "implementing_agencies")

    assert published.count() >= 15
    assert Procedure.objects.filter(code__in=["1.001193", "1.000894", "1.000656", "1.012756"]).count() == 4
    for procedure in published:
        missing = [item.label for item in procedure_completeness(procedure) if not item.present]
        assert missing == [], (procedure.code, missing)
    assert procedure_search(query="dang ky khai sinh")[0].code == "1.001193"


def test_loading_the_demo_twice_changes_nothing(demo):
    before = state()
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "0 thêm mới, 0 cập nhật" in out.getvalue()
    assert state() == before


def test_every_demo_officer_has_work_waiting(demo, client):
    for username, tab in (("tiepnhan", "cho-tiep-nhan"), ("chuyenvien", "buoc-cua-toi"), ("lanhdao", "buoc-cua-toi"),
                          ("tiepnhan.datdai", "cho-tiep-nhan")):  # fmt: skip
        client.force_login(User.objects.get(username=username))
        html = client.get("/can-bo/ho-so/", {"hang": tab}).content.decode()
        assert "/can-bo/ho-so/000." in html, username
