"""Every administration address (console, e-forms, workflows) is for province admins only, through
one decorator (accounts.permissions.province_admin_required): an anonymous visitor is sent to
sign in, anyone else gets 403 before any other check (a POST-only address too), an admin gets in."""

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse

from accounts.constants import Role
from eforms.models import FormVersion
from tests.factories import UserFactory

NAMESPACES = ("console", "eforms", "workflows")


def admin_urls(procedure) -> list[str]:
    """Every address of the three namespaces, with real arguments where they take some."""
    version = FormVersion.objects.filter(definition__procedure=procedure).first()
    values = {"code": procedure.code, "step": "dich-vu", "version_id": version.pk, "year": 2026}
    resolver = get_resolver()
    urls = []
    for namespace in NAMESPACES:
        for name in resolver.namespace_dict[namespace][1].reverse_dict:
            if not isinstance(name, str):
                continue
            possibilities = resolver.namespace_dict[namespace][1].reverse_dict.getlist(name)
            params = possibilities[0][0][0][1]
            urls.append(reverse(f"{namespace}:{name}", kwargs={p: values[p] for p in params}))
    return sorted(set(urls))


@pytest.mark.django_db
def test_every_admin_address_is_closed_to_everyone_but_province_admins(client, procedure, admin):
    urls = admin_urls(procedure)
    assert len(urls) >= 20
    citizen = UserFactory(role=Role.CITIZEN)
    officer = UserFactory(role=Role.RECEPTION_OFFICER)

    anonymous = {url: client.get(url) for url in urls}
    refused = {}
    for person in (citizen, officer):
        client.force_login(person)
        refused.update({(person.role, url): client.get(url).status_code for url in urls})
    client.force_login(admin)
    admitted = {url: client.get(url).status_code for url in urls}

    assert {
        url
        for url, r in anonymous.items()
        if not (r.status_code == 302 and r["Location"].startswith(reverse(settings.LOGIN_URL)))
    } == set()
    assert {key for key, status in refused.items() if status != 403} == set()
    assert {url for url, status in admitted.items() if status == 403} == set()
