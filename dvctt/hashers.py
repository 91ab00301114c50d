"""The password hash: Argon2id at OWASP's minimum (Password Storage Cheat Sheet: m = 19 MiB, t = 2,
p = 1), not Django's default (100 MiB, 8 lanes), which would cost a web worker 100 MiB per
sign-in against its 150 MB budget. Measured by bench/password_hashing.py on this 2-core machine: 20 ms a
sign-in, where PBKDF2 with 1,000,000 iterations takes 290 ms (and ~640 ms inside a busy worker).
Hashes of other kinds (PBKDF2 from before) are upgraded at the next sign-in (settings.PASSWORD_HASHERS:
this one first)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
