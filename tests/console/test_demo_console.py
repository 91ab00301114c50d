"""The demo gives the console something to do: procedures not started, and the rest already online."""

import pytest
from django.core.management import call_command

from console.constants import SetupState
from console.selectors import procedure_setup_list

pytestmark = pytest.mark.django_db


def test_the_demo_has_procedures_not_started_and_the_online_ones_published(tmp_path):
    # given
    call_command("seed_demo", stdout=(tmp_path / "out.txt").open("w"))

    # when
    states = {row.procedure.code: row.state for row in procedure_setup_list()}

    # then
    assert {code for code, state in states.items() if state == SetupState.NOT_STARTED} == {"2.000552", "1.010825"}
    assert states["1.001193"] == SetupState.PUBLISHED
