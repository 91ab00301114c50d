import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dvctt.request_log import JsonFormatter, mask_citizen_ids, method_var, path_var, request_id_var
from tests.test_settings_prod import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_citizen_id_in_a_log_call_comes_out_masked(caplog):
    # given
    logger = logging.getLogger("dossiers.services")

    # when
    with caplog.at_level(logging.INFO, logger="dossiers.services"):
        logger.info("Hồ sơ của công dân %s, người đi cùng 036099001234.", "001234567890")

    # then
    assert [record.getMessage() for record in caplog.records] == [
        "Hồ sơ của công dân 0012******90, người đi cùng 0360******34."
    ]
    assert "001234567890" not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("001234567890", "0012******90"),
        ("cccd001234567890.", "cccd0012******90."),  # letters around it do not protect it
        ("mã hồ sơ 000.31.37.H42-260101-0001", "mã hồ sơ 000.31.37.H42-260101-0001"),
        ("số điện thoại 0912345678", "số điện thoại 0912345678"),  # 10 digits: not a citizen id
        ("1234567890123", "1234567890123"),  # 13 digits: not a citizen id
    ],
)
def test_only_twelve_digit_numbers_are_masked(text, expected):
    assert mask_citizen_ids(text) == expected


def test_the_request_id_from_the_proxy_is_kept_and_returned(client, db, caplog):
    # when
    with caplog.at_level(logging.INFO, logger="dvctt.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "lb-2f1c-0042"})

    # then
    assert response["X-Request-ID"] == "lb-2f1c-0042"
    [access] = [record for record in caplog.records if record.name == "dvctt.access"]
    assert (access.request_id, access.method, access.path, access.status) == ("lb-2f1c-0042", "GET", "/healthz", 200)
    assert access.duration_ms >= 0
    assert access.getMessage().startswith("GET /healthz 200 ")


@pytest.mark.parametrize("sent", ["a" * 65, "id with spaces", "id;rm -rf", ""])
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, db, sent):
    # when
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    # then
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"].isalnum()


def test_two_requests_get_two_ids_and_the_context_is_cleared_after(client, db):
    # when
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    # then
    assert first != second
    assert request_id_var.get() == "-"


def test_the_json_formatter_writes_one_object_with_the_request_context():
    # given: a record written while a request runs
    tokens = [
        var.set(value)
        for var, value in ((request_id_var, "abc"), (method_var, "GET"), (path_var, "/tra-cuu/001234567890"))
    ]
    record = logging.getLogger("dvctt.access").makeRecord(
        "dvctt.access", logging.INFO, __file__, 1, "GET %s 200", ("/tra-cuu/001234567890",), None,
        extra={"status": 200, "duration_ms": 12.5},
    )  # fmt: skip
    for var, token in zip((request_id_var, method_var, path_var), tokens, strict=True):
        var.reset(token)

    # when
    line = JsonFormatter().format(record)

    # then
    entry = json.loads(line)
    entry.pop("time")
    assert entry == {
        "level": "INFO",
        "logger": "dvctt.access",
        "message": "GET /tra-cuu/0012******90 200",
        "request_id": "abc",
        "method": "GET",
        "path": "/tra-cuu/0012******90",
        "status": 200,
        "duration_ms": 12.5,
    }


def test_production_logs_json_lines_to_stdout_with_ids_masked():
    # given
    probe = "import django, logging; django.setup(); logging.getLogger('dossiers').warning('CCCD %s', '001234567890')"
    env = {
        **{k: v for k, v in os.environ.items() if k != "LOG_FORMAT"},
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.prod",
        **PRODUCTION,
    }

    # when
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)

    # then
    entry = json.loads(out.stdout.strip().splitlines()[-1])
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "dossiers", "CCCD 0012******90")
    assert (entry["request_id"], entry["method"], entry["path"]) == ("-", "-", "-")


def test_text_logs_stay_off_stdout_so_a_parent_reading_stdout_never_blocks_them():
    # given: the stand-in and other tools print a banner on stdout that their parent reads once
    probe = "import django, logging; django.setup(); logging.getLogger('dossiers').warning('CCCD %s', '001234567890')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dvctt.settings.test", "LOG_FORMAT": "text"}

    # when
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)

    # then
    assert out.stdout == ""
    assert out.stderr.rstrip().endswith("WARNING dossiers [-] CCCD 0012******90")
