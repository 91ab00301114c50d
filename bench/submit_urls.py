"""URLconf of the submit benchmark's server: the portal's own URLs plus the baseline view.

The baseline is the cheapest write a logged-in citizen's POST can make: one INSERT in a
transaction, behind the same middleware (session, CSRF, auth, messages) and the same login
check as the submit page, answered with a redirect as the submit page is.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from dvctt.urls import urlpatterns as portal_urlpatterns

BASELINE_TABLE = "bench_submit_baseline"
BASELINE_PATH = "bench/chen-mot-dong/"
CREATE_BASELINE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
    "(id bigserial PRIMARY KEY, user_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)


@login_required
@require_POST
def insert_one_row(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (user_id) VALUES (%s)", [request.user.pk])  # noqa: S608
    return HttpResponseRedirect("/")


urlpatterns = [path(BASELINE_PATH, insert_one_row, name="bench_insert_one_row"), *portal_urlpatterns]
