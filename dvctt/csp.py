"""Content-Security-Policy (django-csp): the strict policy of settings.CONTENT_SECURITY_POLICY,
plus the origins of the outside systems the browser talks to, read from the settings at each
response (so a deployment, or a test, that points PAYMENT_URL elsewhere gets a matching policy).

- form-action: the payment platform and VNeID, which the browser is redirected to after a form;
- script-src, img-src, connect-src: the EMC page-view script and the page views it reports.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def origin(url: str) -> str:
    """The scheme://host[:port] of a URL, or "" when it has none."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def outside_origins(*, own_origin: str = "") -> dict[str, list[str]]:
    """Directive -> origins to add to the base policy; the portal's own origin is left to 'self'."""
    wanted = {"form-action": [settings.PAYMENT_URL, settings.VNEID_ISSUER]}
    if settings.EMC_TRACKING_ENABLED:
        for directive in ("script-src", "img-src", "connect-src"):
            wanted[directive] = [settings.EMC_TRACKING_URL]
    update: dict[str, list[str]] = {}
    for directive, urls in wanted.items():
        for found in (origin(url) for url in urls):
            if found and found != own_origin and found not in update.get(directive, []):
                update.setdefault(directive, []).append(found)
    return update


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = outside_origins(own_origin=f"{request.scheme}://{request.get_host()}")
        for directive, values in (parts.update or {}).items():  # a view's @csp_update comes on top
            update[directive] = [*update.get(directive, []), *values]
        parts.update = update or None
        return parts
