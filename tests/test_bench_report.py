"""bench/report.py reads what the benchmarks print and keeps RESULTS.md's table and text in order."""

import sys
from pathlib import Path

import pytest

# Appended, not prepended: bench/eforms.py and bench/indicators.py must not shadow the apps.
sys.path.append(str(Path(__file__).resolve().parent.parent / "bench"))
import report  # noqa: E402 - bench/ is not a package; the scripts import each other the same way

SUBMIT_OUTPUT = """\
dossiers/s: 11.8  (800 in 67.8 s)
submit p50 / p95: 1247.0 / 2169.0 ms
baseline p50 / p95: 126.0 / 295.0 ms
ratio submit p95 / baseline p95: 7.35   (throughput baseline/submit: 9.40)
failures: 0
RESULT submit_ratio_to_insert_baseline 7.35
"""
LOAD_OUTPUT = """\
journeys (each person's requests from first to last, think time excluded):
  citizen: file a dossier        n=120    failed=0    p50=   4035  p95=   6400  p99=   7476 ms    1.00/s
requests: 5000 in 120 s = 41.7 requests/s; p50 / p95 / p99 96 / 590 / 950 ms; failed: 3; journeys failed: 1
database: dvctt_bench_load (PostgreSQL 15.20 (Debian 15.20-0+deb12u1), reset)
RESULT load_error_rate 0.0006
"""


def test_submit_figures_carry_their_baseline_and_ratio():
    figures = report.figures_of("submit", 0, SUBMIT_OUTPUT)

    assert [(f.name, f.value, f.baseline, f.ratio) for f in figures] == [
        ("submit_ratio_to_insert_baseline", "7.35", "one-row INSERT p95 295.0 ms", "7.35× (submit p95 2169.0 ms)"),
        ("submit_dossiers_per_s", "11.8", "—", "—"),
    ]


def test_load_figures_are_the_error_rate_throughput_latency_and_the_filing_journey():
    figures = report.figures_of("load", 0, LOAD_OUTPUT)

    assert [(f.name, f.value, f.ratio) for f in figures] == [
        ("load_error_rate", "0.0006", "3 failed of 5000"),
        ("load_requests_per_s", "41.7", "—"),
        ("load_p95_ms", "590", "p50 96 ms, p99 950 ms"),
        ("load_filing_journey_p95_ms", "6400", "p50 4035 ms, 120 filings"),
    ]
    assert report.postgres_version(LOAD_OUTPUT) == "15.20"


@pytest.mark.parametrize(("status", "output"), [(1, SUBMIT_OUTPUT), (0, "failures: 2\n")])
def test_a_failed_benchmark_is_one_failed_row(status, output):
    figures = report.figures_of("submit", status, output)

    assert [f.name for f in figures] == ["submit (failed)"]
    assert figures[0].value.startswith("FAILED")


def test_results_keep_other_rows_and_the_hand_written_text(tmp_path):
    # given a RESULTS.md with rows of two benchmarks and text around the table
    results = tmp_path / "RESULTS.md"
    old_submit = report.row(
        report.Figure("submit_dossiers_per_s", "9.0"), date="d0", where="m0", command="python bench/submit.py"
    )
    old_load = report.row(
        report.Figure("load_error_rate", "0.5"), date="d0", where="m0", command="python bench/load.py"
    )
    results.write_text(
        f"# Benchmark results\n\nabove\n\n{report.BEGIN}\n{report.HEADER}\n{old_submit}\n{old_load}\n{report.END}\n\n"
        "## catalogue_search_p95_ms\n\nby hand, kept\n",
        encoding="utf-8",
    )

    # when load is run again
    new = report.row(report.Figure("load_error_rate", "0.0000"), date="d1", where="m1", command="python bench/load.py")
    report.update_results(results, {"load_error_rate": new}, {"load"})

    # then submit's row and the text stay, load's row is the new one
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nabove\n\n" + report.BEGIN)
    assert text.endswith(report.END + "\n\n## catalogue_search_p95_ms\n\nby hand, kept\n")
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert table == [old_submit, new]
    assert "| `load_error_rate` | 0.0000 | — | — | d1 | m1 | `python bench/load.py` |" in table


def test_results_without_the_markers_get_the_section_below_the_title(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nhand-written\n", encoding="utf-8")

    report.update_results(results, {"x": report.row(report.Figure("x", "1"), date="d", where="m", command="c")}, {"x"})

    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\n## Latest figures (`make bench`)\n\n" + report.BEGIN)
    assert text.endswith(report.END + "\n\nhand-written\n")
