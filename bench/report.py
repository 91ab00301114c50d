"""Run the benchmarks and write their figures into bench/RESULTS.md (what `make bench` does).

    python bench/report.py [--only NAME ...] [--extra NAME="ARGS"] [--results bench/RESULTS.md] [--list]

Each benchmark runs as its own process, as `python bench/<name>.py [ARGS]`, with its output shown
as it goes. From that output the report takes the `RESULT <figure> <value>` line (and, per
benchmark, the baseline and the ratio it prints), and writes one row per figure into the table
between the two `bench/report.py` markers in RESULTS.md: figure, value, baseline, ratio, the date,
the machine (cores, processor, Python, PostgreSQL) and the exact command. Rows of benchmarks not
run this time stay as they were; the hand-written explanations around the table are not touched.

A benchmark that fails (exit status not 0, or no RESULT line) gets a row saying so; the report goes
on with the others and exits 1 at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
BEGIN = "<!-- bench/report.py: begin (generated; edit the text outside these markers) -->"
END = "<!-- bench/report.py: end -->"
HEADER = "| figure | value | baseline | ratio | date (UTC) | machine | command |\n|---|---|---|---|---|---|---|"


@dataclass
class Figure:
    name: str
    value: str
    baseline: str = "—"
    ratio: str = "—"


def _search(pattern: str, text: str, group: int = 1) -> str | None:
    found = re.search(pattern, text, flags=re.MULTILINE)
    return found.group(group) if found else None


def _p95(label: str, text: str) -> str | None:
    """The p95 of a benchkit.Timings line with that label."""
    value = _search(rf"^\s*{re.escape(label)}.*?p95=\s*([\d.]+)", text)
    return f"{value} ms" if value else None


def _result(text: str) -> tuple[str, str] | None:
    found = re.findall(r"^RESULT (\S+) (\S+)$", text, flags=re.MULTILINE)
    return found[-1] if found else None


def catalogue_search(text: str, name: str, value: str) -> list[Figure]:
    ratio = _search(r"^ratio search/baseline: .*p95 ([\d.]+)x", text)
    return [
        Figure(name, f"{value} ms", f"pk lookup p95 {_p95('pk lookup (baseline)', text) or '?'}", f"{ratio or '?'}×")
    ]


def officer_queue(text: str, name: str, value: str) -> list[Figure]:
    healthz = _search(r"^\s*healthz \(baseline\).*?p95=\s*([\d.]+)", text)
    ratio = f"{float(value) / float(healthz):.1f}×" if healthz else "?"
    return [Figure(name, f"{value} ms", f"GET /healthz p95 {healthz or '?'} ms", ratio)]


def eforms(text: str, name: str, value: str) -> list[Figure]:
    baseline = _search(r"^\s*baseline: bare insert.*?p50=\s*([\d.]+)", text)
    ratio = _search(r"save/bare insert ([\d.]+)x", text)
    return [Figure(name, f"{value} ms (median)", f"bare insert median {baseline or '?'} ms", f"{ratio or '?'}×")]


def submit(text: str, name: str, value: str) -> list[Figure]:
    submit_p95 = _search(r"^submit p50 / p95: [\d.]+ / ([\d.]+) ms", text)
    baseline_p95 = _search(r"^baseline p50 / p95: [\d.]+ / ([\d.]+) ms", text)
    rate = _search(r"^dossiers/s: ([\d.]+)", text)
    return [
        Figure(name, value, f"one-row INSERT p95 {baseline_p95 or '?'} ms", f"{value}× (submit p95 {submit_p95} ms)"),
        Figure("submit_dossiers_per_s", rate or "?"),
    ]


def sync_throughput(text: str, name: str, value: str) -> list[Figure]:
    naive = _search(r"^naive \(.*= ([\d,.]+) rows/s", text)
    ratio = _search(r"^ratio_to_naive ([\d.]+)", text)
    return [Figure(name, f"{value} rows/s", f"1 Celery task per record: {naive or '?'} rows/s", f"{ratio or '?'}×")]


def indicators(text: str, name: str, value: str) -> list[Figure]:
    return [Figure(name, f"{value} ms (median)")]


def load(text: str, name: str, value: str) -> list[Figure]:
    summary = re.search(
        r"^requests: (\d+) in (\d+) s = ([\d.]+) requests/s; p50 / p95 / p99 (\d+) / (\d+) / (\d+) ms; failed: (\d+)",
        text,
        flags=re.MULTILINE,
    )
    figures = [Figure(name, value, "—", f"{summary.group(7)} failed of {summary.group(1)}" if summary else "?")]
    if summary:
        figures.append(Figure("load_requests_per_s", summary.group(3)))
        figures.append(
            Figure("load_p95_ms", summary.group(5), ratio=f"p50 {summary.group(4)} ms, p99 {summary.group(6)} ms")
        )
    filing = re.search(r"^\s*citizen: file a dossier\s+n=(\d+).*?p50=\s*(\d+)\s+p95=\s*(\d+)", text, re.MULTILINE)
    if filing:
        figures.append(
            Figure(
                "load_filing_journey_p95_ms",
                filing.group(3),
                ratio=f"p50 {filing.group(2)} ms, {filing.group(1)} filings",
            )
        )
    return figures


def password_hashing(text: str, name: str, value: str) -> list[Figure]:
    baseline = _search(r"^\s*PBKDF2.*?p50=\s*([\d.]+)", text)
    ratio = _search(r"^ratio argon2/pbkdf2: p50 ([\d.]+)x", text)
    return [Figure(name, f"{value} ms", f"PBKDF2 p50 {baseline or '?'} ms", f"{ratio or '?'}×")]


# name: what reads its output. The order is the order `make bench` runs them in.
BENCHMARKS: dict[str, Callable[[str, str, str], list[Figure]]] = {
    "password_hashing": password_hashing,
    "catalogue_search": catalogue_search,
    "officer_queue": officer_queue,
    "eforms": eforms,
    "submit": submit,
    "sync_throughput": sync_throughput,
    "indicators": indicators,
    "load": load,
}


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model or platform.processor() or '?'}, Python {platform.python_version()}"


def postgres_version(text: str) -> str:
    """What the benchmark printed, else what the default server says."""
    printed = _search(r"PostgreSQL (\d+\.\d+)", text)
    if printed:
        return printed
    try:
        import psycopg

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            url = "postgres://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]).split(" ")[0] if row else "?"
    except Exception:  # noqa: BLE001 - the version is information, not a reason to fail the report
        return "?"


def run(name: str, extra: list[str]) -> tuple[int, str, str]:
    """Runs one benchmark, echoing its output; returns (exit status, output, the command as typed)."""
    command = [sys.executable, str(BENCH_DIR / f"{name}.py"), *extra]
    shown = " ".join(["python", f"bench/{name}.py", *(shlex.quote(a) for a in extra)])
    print(f"\n=== {shown}", flush=True)
    lines = []
    with subprocess.Popen(  # noqa: S603 - our own scripts
        command, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None  # noqa: S101 - piped above
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    return process.returncode, "".join(lines), shown


def figures_of(name: str, status: int, text: str) -> list[Figure]:
    result = _result(text)
    if status != 0 or result is None:
        reason = f"exit {status}" if status else "no RESULT line"
        return [Figure(f"{name} (failed)", f"FAILED: {reason}")]
    return BENCHMARKS[name](text, *result)


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def row(figure: Figure, *, date: str, where: str, command: str) -> str:
    cells = [f"`{figure.name}`", figure.value, figure.baseline, figure.ratio, date, where, f"`{command}`"]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def update_results(path: Path, new_rows: dict[str, str], rerun: set[str]) -> None:
    """Replaces every row of the benchmarks run now; keeps the others; adds the section if missing."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    kept: dict[str, str] = {}
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        old, after = rest.split(END, 1)
        for line in old.splitlines():
            figure = re.match(r"^\| `([^`]+)` \|", line)
            command = re.search(r"`python bench/(\w+)\.py[^`]*` \|$", line)
            if figure and not (command and command.group(1) in rerun):
                kept[figure.group(1)] = line
    else:
        title, _newline, rest = text.partition("\n")  # the section goes right below the title
        before, after = f"{title}\n\n## Latest figures (`make bench`)\n\n", "\n\n" + rest.lstrip("\n")
    kept.update(new_rows)
    order = list(BENCHMARKS)

    def position(line: str) -> int:  # the order `make bench` runs them in; unknown ones last
        command = re.search(r"`python bench/(\w+)\.py[^`]*` \|$", line)
        return order.index(command.group(1)) if command and command.group(1) in order else len(order)

    table = "\n".join([HEADER, *sorted(kept.values(), key=position)])
    intro = (
        "Figures as `make bench` last measured them (`bench/report.py` rewrites this table; the "
        "sections below explain each benchmark's runs by hand). Compare a figure with its baseline "
        "from the same run; compare raw values only between runs on the same machine."
    )
    path.write_text(f"{before}{BEGIN}\n{intro}\n\n{table}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), help="run only these (repeatable)")
    parser.add_argument(
        "--extra", action="append", default=[], metavar='NAME="ARGS"', help="arguments for one benchmark"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="the file to update (default bench/RESULTS.md)")
    parser.add_argument("--list", action="store_true", help="print the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    extras: dict[str, list[str]] = {}
    for item in args.extra:
        name, _sep, rest = item.partition("=")
        if name not in BENCHMARKS:
            parser.error(f"--extra: unknown benchmark {name!r}")
        extras[name] = shlex.split(rest)

    failed = []
    new_rows: dict[str, str] = {}
    rerun: set[str] = set()
    for name in args.only or list(BENCHMARKS):
        status, text, command = run(name, extras.get(name, []))
        date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
        where = f"{machine()}, PostgreSQL {postgres_version(text)}"
        for figure in figures_of(name, status, text):
            new_rows[figure.name] = row(figure, date=date, where=where, command=command)
            if figure.name.endswith("(failed)"):
                failed.append(name)
        rerun.add(name)
        update_results(args.results, new_rows, rerun)  # after each one: a later failure loses nothing
    print(f"\n{args.results.relative_to(BASE_DIR) if args.results.is_relative_to(BASE_DIR) else args.results}: "
          f"{len(new_rows)} figures written" + (f"; FAILED: {', '.join(failed)}" if failed else ""))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
