"""Reads of the catalogue: lists, detail, search, completeness."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramDistance
from django.db import connection
from django.db.models import Count, F, FloatField, Func, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from . import trigrams
from .constants import OnlineLevel
from .exceptions import SearchQueryTooLong
from .models import Agency, DossierComponent, Fee, Procedure, Sector
from .text import normalize_search_text, procedure_codes_in, to_nfc

# pg_trgm's default threshold for `<%` (word similarity); the SQLite fallback uses the same.
WORD_SIMILARITY_THRESHOLD = 0.6
SEARCH_RESULT_LIMIT = 100


@dataclass(frozen=True)
class ProcedureFilters:
    sector: str = ""
    agency: str = ""
    online_level: str = ""


def procedure_list(*, filters: ProcedureFilters | None = None, published_only: bool = True) -> QuerySet[Procedure]:
    """Procedures for list pages and the API, filtered; one query with the sector joined."""
    qs = Procedure.objects.select_related("sector")
    if published_only:
        qs = qs.filter(is_published=True)
    if filters is not None:
        if filters.sector:
            qs = qs.filter(sector__code=filters.sector)
        if filters.agency:
            qs = qs.filter(implementing_agencies__code=filters.agency)
        if filters.online_level:
            qs = qs.filter(online_level=filters.online_level)
    return qs


def clean_search_query(raw: str) -> str:
    """NFC, trimmed; refuses (rather than truncates) text longer than SEARCH_MAX_LENGTH."""
    text = to_nfc(raw or "").strip()
    limit = settings.SEARCH_MAX_LENGTH
    if len(text) > limit:
        raise SearchQueryTooLong(limit=limit)
    return text


def procedure_search(
    *,
    query: str,
    filters: ProcedureFilters | None = None,
    published_only: bool = True,
    limit: int = SEARCH_RESULT_LIMIT,
) -> list[Procedure]:
    """Best matches first for text typed any way people type it.

    Order: exact national code, then trigram word similarity (a name containing the whole
    phrase scores 1; typos and i/y spellings score a little less), then closeness of the
    whole name (the shortest name containing the phrase wins), then popularity. PostgreSQL
    ranks with pg_trgm over a GiST index, nearest first; other databases rank the same keys
    in Python.
    """
    text = clean_search_query(query)
    normalized = normalize_search_text(text)
    base = procedure_list(filters=filters, published_only=published_only)
    if not normalized:
        return list(base.order_by("-popularity", "code")[:limit])
    if connection.vendor == "postgresql":
        return _search_postgres(base, text, normalized, limit)
    return _search_python(base, text, normalized, limit)


class _WordDistance(Func):
    """`search_text <->> 'query'`: 1 - word_similarity(query, search_text).

    Written with the indexed column on the left so the GiST index can return rows nearest
    first (Django's TrigramWordDistance puts the column on the right, which it cannot).
    """

    arg_joiner = " <->> "
    template = "(%(expressions)s)"
    output_field = FloatField()


def _search_postgres(base: QuerySet[Procedure], text: str, normalized: str, limit: int) -> list[Procedure]:
    codes = procedure_codes_in(text)
    exact = list(base.filter(code__in=codes)) if codes else []
    ranked = (
        base.filter(Q(search_text__trigram_word_similar=normalized) | Q(search_text__contains=normalized))
        .exclude(pk__in=[p.pk for p in exact])
        .annotate(
            word_distance=_WordDistance(F("search_text"), Value(normalized)),
            whole_distance=TrigramDistance("search_text", normalized),
        )
        .order_by("word_distance", "whole_distance", "-popularity", "code")
    )
    return exact + list(ranked[: limit - len(exact)])


def _search_python(base: QuerySet[Procedure], text: str, normalized: str, limit: int) -> list[Procedure]:
    codes = set(procedure_codes_in(text))
    scored: list[tuple[tuple[float, ...], int]] = []
    for pk, code, search_text, popularity in base.values_list("pk", "code", "search_text", "popularity"):
        code_match = code in codes
        word_rank = 1.0 if normalized in search_text else trigrams.word_similarity(normalized, search_text)
        if not (code_match or word_rank > WORD_SIMILARITY_THRESHOLD):
            continue
        whole_rank = trigrams.similarity(search_text, normalized)
        key = (-float(code_match), -word_rank, -whole_rank, -float(popularity))
        scored.append((key, pk))
    scored.sort()
    order = [pk for _key, pk in scored[:limit]]
    by_pk = base.in_bulk(order)
    return [by_pk[pk] for pk in order]


def procedure_get_public(*, code: str) -> Procedure:
    """A published procedure with everything its detail page shows, in a fixed number of queries."""
    return (
        Procedure.objects.select_related("sector")
        .prefetch_related(
            Prefetch("fees", queryset=Fee.objects.order_by("order", "id")),
            Prefetch("components", queryset=DossierComponent.objects.order_by("order", "id")),
            Prefetch("implementing_agencies", queryset=Agency.objects.order_by("name")),
        )
        .get(code=code, is_published=True)
    )


def procedure_most_used(*, limit: int = 8) -> QuerySet[Procedure]:
    return procedure_list().order_by("-popularity", "code")[:limit]


def sector_list_with_counts() -> QuerySet[Sector]:
    return Sector.objects.annotate(procedure_count=Count("procedures", filter=Q(procedures__is_published=True))).filter(
        procedure_count__gt=0
    )


def agency_list_with_counts() -> QuerySet[Agency]:
    return (
        Agency.objects.filter(is_active=True)
        .annotate(procedure_count=Count("procedures", filter=Q(procedures__is_published=True)))
        .filter(procedure_count__gt=0)
        .order_by("level", "name")
    )


def online_level_counts() -> dict[str, int]:
    rows = procedure_list().values_list("online_level").annotate(n=Count("id"))
    counts = dict.fromkeys(OnlineLevel.values, 0)
    counts.update(dict(rows))
    return counts


def agency_descendant_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """The given agencies and everything below them (hierarchies here are a few levels deep)."""
    found = set(agency_ids)
    frontier = set(found)
    while frontier:
        frontier = set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


@dataclass(frozen=True)
class CompletenessItem:
    label: str
    present: bool


def procedure_completeness(procedure: Procedure) -> list[CompletenessItem]:
    """The seven published components of Decree 63/2010 Art. 8(2), besides the name itself.

    Uses prefetched components/agencies when present, so a list page stays at constant queries.
    """
    components = list(procedure.components.all())
    agencies = list(procedure.implementing_agencies.all())
    has_time_limit = procedure.same_day_rule or (procedure.time_limit_value or 0) > 0
    return [
        CompletenessItem(str(_("Trình tự thực hiện")), bool(procedure.steps.strip())),
        CompletenessItem(str(_("Cách thức thực hiện")), bool(procedure.channels)),
        CompletenessItem(str(_("Thành phần, số lượng hồ sơ")), bool(components)),
        CompletenessItem(str(_("Thời hạn giải quyết")), has_time_limit),
        CompletenessItem(str(_("Đối tượng thực hiện")), bool(procedure.applicant_types)),
        CompletenessItem(str(_("Cơ quan thực hiện")), bool(agencies)),
        CompletenessItem(str(_("Kết quả thực hiện")), bool(procedure.result_document.strip())),
    ]


def procedure_is_complete(procedure: Procedure) -> bool:
    return all(item.present for item in procedure_completeness(procedure))
