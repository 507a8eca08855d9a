"""The site's search backend (WAGTAILSEARCH_BACKENDS): Wagtail's database backend for the
database in use, given only text it can hold.

Every search goes through it: the content search (/documentation/recherche/), the Wagtail
API's `?search=`, the CMS's own. What people type is words to look for, never syntax:
SQLite's FTS5 backend writes each term inside a "…" string without doubling the quote, so a
lone `"` was an FTS5 syntax error (500); PostgreSQL refuses a NUL byte in any text.
"""

import copy
import functools
import unicodedata

from modelsearch.backends.database import SearchBackend as database_search_backend

# Characters that are not words: the quote ends FTS5's strings, control characters (NUL
# first) are refused by PostgreSQL. Both separate words, so they become spaces.
_SEPARATORS = {'"'}


def clean_search_text(text: str) -> str:
    """The words of `text`, with what no backend can hold turned into spaces."""
    return " ".join("".join(
        " " if char in _SEPARATORS or unicodedata.category(char) == "Cc" else char
        for char in text).split())


def clean_search_query(query):
    """`query` (text, or a modelsearch query object) with every text in it cleaned."""
    if isinstance(query, str):
        return clean_search_text(query)
    query = copy.copy(query)
    if isinstance(getattr(query, "query_string", None), str):
        query.query_string = clean_search_text(query.query_string)
    if getattr(query, "subquery", None) is not None:
        query.subquery = clean_search_query(query.subquery)
    if getattr(query, "subqueries", None) is not None:
        query.subqueries = [clean_search_query(sub) for sub in query.subqueries]
    return query


class CleanQueryMixin:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        # `search()` and `autocomplete()` both come here; an empty query after cleaning
        # finds nothing, as an empty query does.
        return super()._search(query_compiler_class, clean_search_query(query),
                               model_or_queryset, **kwargs)


@functools.cache
def _clean_class(backend_class):
    return type(f"Clean{backend_class.__name__}", (CleanQueryMixin, backend_class), {})


def SearchBackend(params):  # noqa: N802 — the name modelsearch looks for in a backend module
    backend = database_search_backend(params)
    return _clean_class(type(backend))(params)
