"""A small pure-Python stand-in for pg_trgm, used where PostgreSQL is not (the SQLite default).

Same trigram extraction as pg_trgm (each word padded with two spaces in front and one
behind), so a query ranks the same way on both databases for ordinary catalogue sizes.
"""

from functools import lru_cache


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(left: str, right: str) -> float:
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def word_similarity(query: str, text: str) -> float:
    """Share of the query's trigrams found in the text (pg_trgm's word_similarity, simplified)."""
    q = trigrams(query)
    if not q:
        return 0.0
    return len(q & trigrams(text)) / len(q)
