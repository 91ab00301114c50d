"""Walking a large queryset without a server-side cursor.

On PostgreSQL `QuerySet.iterator()` reads through a server-side cursor, which lives on one server
connection. Behind a transaction pooler (pgbouncer, pool_mode=transaction) the next FETCH may
reach another connection, where that cursor does not exist; with DISABLE_SERVER_SIDE_CURSORS the
whole result is loaded at once instead. `keyset_iterator` does neither: ordinary short queries,
`WHERE key > last ORDER BY key LIMIT n`, each its own statement, so memory stays at one chunk,
no transaction is held open between chunks, and any pooler works.
"""

from collections.abc import Iterator
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def keyset_iterator(queryset: QuerySet[M], *, key: str = "pk", chunk_size: int = 500) -> Iterator[M]:
    """Every row of `queryset` in ascending order of `key`, a unique, non-null field of the model,
    fetched `chunk_size` rows per query. Rows inserted meanwhile with a key above the last one read
    are seen; the queryset's own ordering is replaced by `key`."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    last: Any = None
    while True:
        page = queryset.order_by(key)
        if last is not None:
            page = page.filter(**{f"{key}__gt": last})
        rows = list(page[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = getattr(rows[-1], key)
