import pytest
from django.db import connection

from procedures.exceptions import SearchQueryTooLong
from procedures.models import Procedure
from procedures.selectors import ProcedureFilters, procedure_search
from tests.factories import ProcedureFactory


def codes(results: list[Procedure]) -> list[str]:
    return [p.code for p in results]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "khai sinh",
        "DANG KY KHAI SINH",
        "đăng kí khai sinh",
        "dang ky khai snh",  # one letter missing
        "dang ky khai sibh",  # one letter wrong
        "dang ky khia sinh",  # two letters swapped
        "1.001193",
    ],
)
def test_birth_registration_comes_first_however_it_is_typed(civil_status_catalogue, query):
    results = procedure_search(query=query)

    assert codes(results)[0] == "1.001193"


def test_phrase_matches_rank_before_fuzzy_ones(civil_status_catalogue):
    results = codes(procedure_search(query="khai sinh"))

    # Shortest name containing the phrase first, then the other names containing it.
    assert results[:2] == ["1.001193", "1.004884"]
    assert set(results[2:4]) == {"1.001695", "1.000689"}
    assert "1.000656" not in results


def test_unrelated_words_find_nothing(civil_status_catalogue):
    assert procedure_search(query="giấy phép lái xe máy bay") == []


def test_drafts_are_not_found(civil_status_catalogue):
    assert "2.999999" not in codes(procedure_search(query="ban nhap khai sinh"))


def test_filters_apply_to_search(civil_status_catalogue):
    results = procedure_search(query="dang ky", filters=ProcedureFilters(sector="DATDAI"))

    assert codes(results) == ["1.012756"]


def test_search_by_code_prefix_free_text_still_works(civil_status_catalogue):
    assert codes(procedure_search(query="ma thu tuc 1.012783"))[0] == "1.012783"


def test_sql_looking_text_is_just_text(civil_status_catalogue):
    before = Procedure.objects.count()

    results = procedure_search(query="khai sinh'; DROP TABLE procedures_procedure; --")

    assert Procedure.objects.count() == before
    assert isinstance(results, list)


def test_ten_thousand_characters_are_refused_with_a_message(civil_status_catalogue):
    with pytest.raises(SearchQueryTooLong) as excinfo:
        procedure_search(query="khai sinh " * 1000)

    assert "tối đa 200 ký tự" in str(excinfo.value)


def test_empty_query_lists_most_used_first(civil_status_catalogue):
    assert codes(procedure_search(query="   "))[:2] == ["1.001193", "1.000894"]


@pytest.mark.postgres
def test_python_normaliser_agrees_with_postgres_unaccent(db):
    """The stored search text is folded in Python; PostgreSQL's unaccent is the reference."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's unaccent")
    names = [
        "Đăng ký khai sinh", "Cấp đổi giấy chứng nhận quyền sử dụng đất", "Chứng thực bản sao từ bản chính",
        "Xóa đăng ký cho thuê quyền sử dụng đất", "Cấp bản sao trích lục hộ tịch", "Ưu đãi người có công",
    ]  # fmt: skip
    for name in names:
        ProcedureFactory(name=name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, regexp_replace(translate(lower(unaccent(name)), 'y', 'i'), '[^0-9a-z.]+', ' ', 'g') "
            "FROM procedures_procedure"
        )
        rows = cursor.fetchall()
    for name, folded in rows:
        stored = Procedure.objects.get(name=name).search_text
        assert stored.endswith(" ".join(folded.split())), name


@pytest.mark.postgres
def test_postgres_search_uses_trigram_operator(civil_status_catalogue, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL path only")
    with django_assert_num_queries(1) as captured:
        procedure_search(query="dang ky khai snh")

    sql = captured.captured_queries[0]["sql"]
    assert "%>" in sql
    assert "<->>" in sql
