"""Dossier status and step have exactly one writer: dossiers/services.py."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "procedures", "accounts", "workflows", "dossiers", "emc_sync", "indicators", "dvctt")
# A dossier's status or step assigned (`dossier.status = `, `self.dossier.step_key = `), or set by a
# queryset update on a line that names dossiers. Other models' own `status` (payments, outbox
# rows) are theirs to write.
ASSIGNMENT = re.compile(
    r"(?i:dossier\w*)\.(status|step_key|step_role)\s*=(?!=)"
    r"|(?i:dossier).*\.update\([^)]*\b(status|step_key|step_role)\s*="
)


def offending_lines(path: Path) -> list[str]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if ASSIGNMENT.search(line.split("#", 1)[0]):
            lines.append(f"{path.name}:{number}: {line.strip()}")
    return lines


def test_only_the_lifecycle_service_assigns_status_or_step():
    found = []
    for app in APPS:
        folder = ROOT / app
        for path in folder.rglob("*.py") if folder.is_dir() else []:
            if path != ROOT / "dossiers" / "services.py" and "migrations" not in path.parts:
                found += offending_lines(path)

    assert found == []


def test_the_check_sees_an_assignment(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "dossier.status = 9\nDossier.objects.filter(pk=1).update(status=10)\nif x.status == 2:\n    pass\n"
        "payment.status = 'paid'\nself.dossier.step_key = 'x'\nlocked_dossier.step_role = 'leader'\n"
    )

    assert offending_lines(sneaky) == [
        "sneaky.py:1: dossier.status = 9",
        "sneaky.py:2: Dossier.objects.filter(pk=1).update(status=10)",
        "sneaky.py:6: self.dossier.step_key = 'x'",
        "sneaky.py:7: locked_dossier.step_role = 'leader'",
    ]
