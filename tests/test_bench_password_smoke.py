"""The password-hashing benchmark still runs and reports (two rounds; the numbers are not checked)."""

import subprocess
import sys
from pathlib import Path

from bench.report import password_hashing

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "password_hashing.py"


def test_the_hashing_benchmark_prints_its_result_and_the_report_reads_it():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "2"], capture_output=True, text=True, check=True, timeout=120
    ).stdout

    (figure,) = password_hashing(out, "sign_in_hash_ms", out.rsplit("RESULT sign_in_hash_ms ", 1)[1].strip())
    assert figure.baseline.startswith("PBKDF2 p50 ")
    assert "?" not in figure.baseline
    assert figure.ratio.endswith("×")
    assert "?" not in figure.ratio
