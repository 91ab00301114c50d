"""Passwords are hashed with Argon2id at OWASP's minimum; an older PBKDF2 hash is rewritten at the
next sign-in (the test settings use a fast hash for speed; these tests use the real list)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

from accounts.constants import Role
from dvctt.settings import base
from tests.factories import UserFactory


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_a_new_password_is_argon2id_with_the_chosen_parameters(real_hashers):
    encoded = make_password("mat-khau-Dai-2026")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert type(identify_hasher(encoded)).__name__ == "PortalArgon2PasswordHasher"


@pytest.mark.django_db
def test_a_pbkdf2_hash_is_rewritten_at_the_next_sign_in(client, real_hashers):
    old = make_password("mat-khau-Dai-2026", hasher="pbkdf2_sha256")
    citizen = UserFactory(username="037090001234", role=Role.CITIZEN, password="-")
    citizen.password = old
    citizen.save(update_fields=["password"])

    answer = client.post(reverse("accounts:login"), {"username": "037090001234", "password": "mat-khau-Dai-2026"})

    assert answer.status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("argon2$argon2id$")
    assert citizen.check_password("mat-khau-Dai-2026")
    assert django_settings.PASSWORD_HASHERS[0] == "dvctt.hashers.PortalArgon2PasswordHasher"
