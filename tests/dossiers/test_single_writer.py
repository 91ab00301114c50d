"""Dossier status, step and due date have exactly one writer: dossiers/services.py.

The checker (tests/rules.py) reads each file's syntax tree: attribute assignments on any name,
setattr, Dossier(...), queryset update/create/get_or_create/update_or_create (keywords, defaults,
create_defaults), bulk_update and save(update_fields=...) field lists, and raw SQL
`UPDATE dossiers_dossier SET ...` in string literals. Another model's own field of the same
name is allowed only by an entry of rules.ALLOWED, with its reason.
"""

import textwrap

import pytest

from tests import rules


def test_only_the_lifecycle_service_writes_status_step_or_due_date():
    found = [line for path in rules.project_files() for line in rules.offending(path)]

    assert found == []


def test_the_scan_covers_every_app_and_leaves_out_the_stand_in_portal():
    scanned = {path.relative_to(rules.ROOT).as_posix() for path in rules.project_files()}

    assert {name.split("/")[0] for name in scanned} == set(rules.APPS)
    assert rules.THE_WRITER in scanned
    assert not any("/migrations/" in name or name.startswith("emc_sync/mock_portal/") for name in scanned)


def test_every_allowed_write_is_still_there():
    # An entry no longer matching a write would silently allow a future dossier write there.
    seen = {
        (rules._relative(path), function, receiver)
        for path in rules.project_files()
        for _line, function, receiver, _what in rules.writes(path.read_text(encoding="utf-8"))
    }

    assert set(rules.ALLOWED) - seen == set()


SNEAKY = {
    "console-queryset-update": (
        """
        from dossiers.models import Dossier

        def close_agency(a):
            Dossier.objects.filter(agency=a).update(status=7)
        """,
        ["console/services.py:5: close_agency: .update(status)"],
    ),
    "fetched-then-assigned": (
        """
        def reopen():
            record = Dossier.objects.get(pk=1)
            record.status = 9
            record.save()
        """,
        ["console/services.py:4: reopen: record.status assigned"],
    ),
    "bulk-update-field-list": (
        """
        def push_back(items):
            Dossier.objects.bulk_update(items, ["status", "due_at"])
        """,
        ["console/services.py:3: push_back: .bulk_update([due_at, status])"],
    ),
    "raw-sql": (
        """
        from django.db import connection

        def stop(pk):
            with connection.cursor() as cursor:
                cursor.execute("UPDATE dossiers_dossier SET status = 7 WHERE id = %s", [pk])
        """,
        ["console/services.py:6: stop: raw SQL sets dossiers_dossier.{status}"],
    ),
    "update-or-create-defaults": (
        """
        class Import:
            def row(self, c):
                Dossier.objects.update_or_create(code=c, defaults={"status": 2})
        """,
        ["console/services.py:4: Import.row: .update_or_create(status)"],
    ),
}


@pytest.mark.parametrize(("source", "expected"), SNEAKY.values(), ids=SNEAKY.keys())
def test_the_checker_sees_a_write_outside_the_service(source, expected):
    assert rules.offending(textwrap.dedent(source), "console/services.py") == expected


@pytest.mark.parametrize(
    "source",
    [
        'qs.update(**{"step_key": "x"})',
        "agency.dossiers.update(step_role='leader')",
        "Payment.objects.get(pk=1).dossier.events.update(status=1)",
        "a.step_key, b = 'x', 2",
        "x.due_at += delta",
        "setattr(obj, 'step_role', 'leader')",
        "Dossier(code='x', status=1).save()",
        "Dossier.objects.get_or_create(code='x', status=1)",
        "Dossier.objects.update_or_create(code='x', create_defaults={'due_at': d})",
        "d.save(update_fields=['due_at'])",
        'cursor.execute(f"update {Dossier._meta.db_table} set note = 1, step_key = %s where id = {pk}")',
        'cursor.execute("UPDATE " + \'"dossiers_dossier"\' + " SET due_at = %s")',
    ],
)
def test_the_checker_sees_other_shapes_of_write(source):
    assert len(rules.offending(source, "dossiers/views.py")) == 1


def test_reads_comparisons_and_other_models_own_fields_are_not_reported():
    source = textwrap.dedent(
        """
        def payment_confirm(payment, x, dossier):
            if x.status == 2 and dossier.due_at is None:
                pass
            payment.status = "paid"
            payment.save(update_fields=["status"])
            Payment.objects.filter(dossier=dossier).update(status="paid")
            OutboxRow.objects.filter(pk=1).update(state="sent")
            Consultation.objects.get_or_create(dossier=dossier, defaults={"due_at": x.due_at})
            rows = Dossier.objects.filter(status=2, due_at__lt=x).order_by("due_at")
            cursor.execute("SELECT status FROM dossiers_dossier WHERE status = 2")
            cursor.execute("UPDATE dossiers_dossierpause SET due_after = %s")
            cursor.execute("INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET status = 1")
            return rows, {"status": dossier.status}
        """
    )

    assert rules.offending(source, "dossiers/payments/services.py") == []


def test_the_allowance_is_for_that_receiver_in_that_function_only():
    assert rules.offending(
        "def payment_confirm(payment):\n    payment.dossier.status = 1\n", "dossiers/payments/services.py"
    )
    assert rules.offending("def elsewhere(payment):\n    payment.status = 'paid'\n", "dossiers/payments/services.py")


def test_the_lifecycle_service_itself_is_not_reported():
    assert rules.offending("dossier.status = 1\n", rules.THE_WRITER) == []
