"""Dossier codes: `<agency identifier>-<YYMMDD>-<NNNN>` and a sequence that never breaks its shape."""

import datetime as dt
import re

import pytest

from dossiers.services import dossier_code_next
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_ten_thousand_dossiers_of_one_agency_in_a_day_keep_the_pattern():
    agency = AgencyFactory(code="000.00.12.H42")
    day = dt.date(2026, 12, 31)

    codes = [dossier_code_next(agency=agency, day=day) for _ in range(10_001)]

    assert codes[0] == "000.00.12.H42-261231-0001"
    assert codes[9_998] == "000.00.12.H42-261231-9999"
    assert codes[9_999] == "000.00.12.H42-261231-10000"
    assert codes[10_000] == "000.00.12.H42-261231-10001"
    assert len(set(codes)) == len(codes)
    pattern = re.compile(r"^000\.00\.12\.H42-261231-\d{4,}$")
    assert all(pattern.match(code) for code in codes)
    assert max(len(code) for code in codes) <= 40  # the national portal's MaHoSo limit


def test_the_sequence_is_per_agency_and_per_day():
    ward, department = AgencyFactory(code="000.00.41.H42"), AgencyFactory(code="000.00.12.H42")
    monday, tuesday = dt.date(2026, 12, 7), dt.date(2026, 12, 8)

    assert dossier_code_next(agency=ward, day=monday) == "000.00.41.H42-261207-0001"
    assert dossier_code_next(agency=ward, day=monday) == "000.00.41.H42-261207-0002"
    assert dossier_code_next(agency=department, day=monday) == "000.00.12.H42-261207-0001"
    assert dossier_code_next(agency=ward, day=tuesday) == "000.00.41.H42-261208-0001"
