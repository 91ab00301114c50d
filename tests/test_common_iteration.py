"""common.iteration.keyset_iterator: every row, in key order, a chunk per query, and no
server-side cursor (which a transaction pooler in front of PostgreSQL breaks)."""

import pytest
from django.db import connection

from common.iteration import keyset_iterator
from procedures.models import Sector
from tests.factories import SectorFactory


def open_server_side_cursors() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize(("rows", "queries"), [(7, 3), (6, 3), (0, 1)])
def test_every_row_comes_in_key_order_one_chunk_per_query(db, django_assert_num_queries, rows, queries):
    # given sectors created out of code order
    codes = [f"S{n:02d}" for n in range(rows)]
    for code in reversed(codes):
        SectorFactory(code=code, name=f"Lĩnh vực {code}")

    # when walked three at a time (a full last chunk costs one more, empty, query)
    with django_assert_num_queries(queries):
        walked = [sector.code for sector in keyset_iterator(Sector.objects.all(), key="code", chunk_size=3)]

    # then
    assert walked == codes


def test_the_filter_of_the_queryset_holds_across_chunks(db):
    for n in range(6):
        SectorFactory(code=f"S{n}", name="Hộ tịch" if n % 2 else "Đất đai")

    walked = list(keyset_iterator(Sector.objects.filter(name="Hộ tịch"), chunk_size=2))

    assert [s.code for s in walked] == ["S1", "S3", "S5"]


def test_a_chunk_size_below_one_is_refused(db):
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        list(keyset_iterator(Sector.objects.all(), chunk_size=0))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's")
def test_no_server_side_cursor_is_open_while_walking_unlike_iterator(db, monkeypatch):
    # given more rows than one chunk
    for n in range(5):
        SectorFactory(code=f"S{n}", name=f"Lĩnh vực {n}")

    # when each way of walking is stopped after its first row, and the server asked what is open
    def cursors_after_first_row(rows):
        next(rows)
        try:
            return open_server_side_cursors()
        finally:
            rows.close()

    ours = cursors_after_first_row(keyset_iterator(Sector.objects.all(), chunk_size=2))
    djangos = cursors_after_first_row(Sector.objects.all().iterator(chunk_size=2))
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    djangos_disabled = cursors_after_first_row(Sector.objects.all().iterator(chunk_size=2))

    # then ours holds none; Django's iterator holds one, unless DISABLE_SERVER_SIDE_CURSORS is set
    assert (ours, djangos, djangos_disabled) == (0, 1, 0)
