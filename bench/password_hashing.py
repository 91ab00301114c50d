"""What one sign-in costs in the password hash: PBKDF2 (Django's default, what the portal used)
against Argon2id with the parameters the portal chose (dvctt.hashers), in the same process.

    python bench/password_hashing.py [--rounds 20]

Prints per hasher the median and p95 of one check_password, the memory the hash needs, and
`RESULT sign_in_hash_ms <Argon2id median>`; the ratio line compares with PBKDF2 measured in the
same run. No database: the hashers only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dvctt.settings.base")


def measure(hasher, rounds: int) -> list[float]:
    encoded = hasher.encode("mat-khau-Thu-nghiem-2026", hasher.salt())
    hasher.verify("mat-khau-Thu-nghiem-2026", encoded)  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert hasher.verify("mat-khau-Thu-nghiem-2026", encoded)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from dvctt.hashers import PortalArgon2PasswordHasher

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    results = {}
    for label, hasher in (
        (f"PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} iterations (baseline)", PBKDF2PasswordHasher()),
        (
            f"Argon2id m={PortalArgon2PasswordHasher.memory_cost} KiB t={PortalArgon2PasswordHasher.time_cost}"
            f" p={PortalArgon2PasswordHasher.parallelism}",
            PortalArgon2PasswordHasher(),
        ),
    ):
        times = sorted(measure(hasher, args.rounds))
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        results[label] = statistics.median(times)
        print(f"  {label:<55} p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  n={len(times)}")
    baseline, argon = results.values()
    print(f"memory per hash: Argon2id {PortalArgon2PasswordHasher.memory_cost / 1024:.0f} MiB; PBKDF2 negligible")
    print(f"ratio argon2/pbkdf2: p50 {argon / baseline:.2f}x")
    print(f"RESULT sign_in_hash_ms {argon:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
