"""What the payment tests share: the platform's settings, a citizen, a draft with two fees."""

import datetime as dt
import hashlib
import hmac
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.models import DossierDraft
from tests.factories import FeeFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUERY_URL = "http://platform.test/thanhtoan/tra-cuu"


@pytest.fixture(autouse=True)
def platform(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAYMENT_URL = "http://platform.test/thanhtoan"
    settings.PAYMENT_MERCHANT = "dvctt"
    settings.PAYMENT_SECRET = "payment-secret"
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    settings.PAYMENT_PENDING_CHECK_AFTER_MINUTES = 15


@pytest.fixture
def citizen(office):
    return office["people"][Role.CITIZEN]


@pytest.fixture
def draft(citizen, office):
    """A draft of a procedure with two fees: 100.000 đ less 20% online, and 30.000 đ without discount."""
    procedure = office["procedure"]
    FeeFactory(procedure=procedure, name="Lệ phí cấp giấy", amount=100_000, online_discount_percent=20, order=1)
    FeeFactory(procedure=procedure, name="Phí thẩm định", amount=30_000, order=2)
    return DossierDraft.objects.create(owner=citizen, procedure=procedure, agency=office["agency"])


def sign(*values):
    return hmac.new(b"payment-secret", "|".join(map(str, values)).encode(), hashlib.sha256).hexdigest()


def at(year, month, day, hour, minute=0):
    return time_machine.travel(dt.datetime(year, month, day, hour, minute, tzinfo=VN), tick=False)


def pdf_text(pdf):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())
