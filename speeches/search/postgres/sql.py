"""A Query (speeches.search.engine) as one SQL statement over speeches_searchrow.

Every term becomes a materialised set of canonical speeches: the rows whose grams
match its tsquery (rows.tsquery), each row's speech collapsed onto the speech it
copies (`COALESCE(duplicate_of_id, id)`: a term that only an edited copy holds
finds its speech). The query tree is then UNION / INTERSECT / EXCEPT of those sets,
filters narrow it, and one statement answers everything as rows of
(kind, key, value, titles):

    count  -         matching speeches
    total  -         canonical speeches (for idf)
    held   j         speeches holding positive term j (for idf)
    <facet> <value>  speeches with that value, under the other filters
    hit    <id>      one of the best pool, with its score and titles count

so the term sets are read once per query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...models import LIVE_STATUSES
from .. import query as q
from ..engine import SORT_COLUMNS, Query
from ..params import UNDATED
from ..relevance import K1, PROXIMITY_POOL, B, positive_terms
from .rows import TITLE_PART, lexeme, tsquery

# Filter and facet name (speeches.search.engine.FACETS) -> how a speech `s` is narrowed.
_FILTERS = {
    "year": "(s.year = ANY(%s::int[]) OR (s.year IS NULL AND %s))",
    "document": "s.document_id = ANY(%s::bigint[])",
    "level": "s.speaker_level = ANY(%s)",
    "genre": "s.genre = ANY(%s)",
    "office": "s.office = ANY(%s)",
    "occasion": "s.occasion = ANY(%s)",
    # A place is filed under its province too (models.place_keys).
    "place": (
        "(s.region = ANY(%s) OR EXISTS (SELECT 1 FROM unnest(%s::text[]) AS p(v)"
        " WHERE left(s.region, length(p.v) + 1) = p.v || '·'))"
    ),
    "topic": (
        "s.id IN (SELECT st.speech_id FROM speeches_speechtopic st JOIN speeches_topic t ON t.id = st.topic_id"
        " WHERE t.slug = ANY(%s))"
    ),
}
_FACETS = {
    "year": (f"COALESCE(s.year::text, '{UNDATED}')", "TRUE"),
    "document": ("s.document_id::text", "TRUE"),
    "level": ("s.speaker_level", "s.speaker_level <> ''"),
    "genre": ("s.genre", "s.genre <> ''"),
    "office": ("s.office", "s.office <> ''"),
    "occasion": ("s.occasion", "s.occasion <> ''"),
}
_COLUMNS = {"length": "char_count", "pk": "id"}
_SORT_SQL = {
    name: f"s.{_COLUMNS.get(column, column)} {'DESC' if descending else 'ASC'} NULLS LAST"
    for name, (column, descending) in SORT_COLUMNS.items()
}


# models.LIVE_STATUSES as an SQL list (constants, not input).
LIVE = ", ".join(f"'{status}'" for status in LIVE_STATUSES)


@dataclass
class Statement:
    sql: str
    params: list
    terms: list[q.Term] = field(default_factory=list)  # the positive terms, as `held` numbers them
    ranked: bool = False  # hits are the best pool from the first, not the page itself


class _Builder:
    def __init__(self):
        self.ctes: list[str] = []
        self.params: list = []
        self.sets: dict[q.Term, str] = {}

    def cte(self, name: str, sql: str, params: list) -> str:
        self.ctes.append(f"{name} AS MATERIALIZED ({sql})")
        self.params.extend(params)
        return name

    def term_set(self, term: q.Term) -> str:
        """The CTE of the canonical speeches holding the term."""
        if term not in self.sets:
            part = f"r.part = {TITLE_PART}" if term.field == "title" else f"r.part > {TITLE_PART}"
            self.sets[term] = self.cte(
                f"t{len(self.sets)}",
                "SELECT DISTINCT COALESCE(s.duplicate_of_id, s.id) AS id FROM speeches_searchrow r"
                " JOIN speeches_speech s ON s.id = r.speech_id JOIN speeches_document d ON d.id = s.document_id"
                f" WHERE r.grams @@ %s::tsquery AND {part} AND d.status IN ({LIVE})",
                [tsquery(term.text)],
            )
        return self.sets[term]

    def tree(self, node) -> str:
        """A SELECT of the canonical speech ids the tree matches."""
        if isinstance(node, q.Term):
            return f"SELECT id FROM {self.term_set(node)}"
        if isinstance(node, q.Any):
            return " UNION ".join(f"({self.tree(child)})" for child in node.children)
        if isinstance(node, q.Not):
            return f"(SELECT id FROM canon) EXCEPT ({self.tree(node.child)})"
        positive = [f"({self.tree(c)})" for c in node.children if not isinstance(c, q.Not)]
        negative = [f"({self.tree(c.child)})" for c in node.children if isinstance(c, q.Not)]
        sql = " INTERSECT ".join(positive) if positive else "(SELECT id FROM canon)"
        if negative:
            sql = f"({sql}) EXCEPT ({' UNION '.join(negative)})"
        return sql


def _where(filters: dict[str, frozenset[str]], leave_out: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    for name, values in sorted(filters.items()):
        if not values or name == leave_out:
            continue
        clauses.append(_FILTERS[name])
        params.append(sorted(_typed(name, values)))
        if name == "year":
            params.append(UNDATED in values)
        if name == "place":
            params.append(sorted(values))
    return " AND ".join(clauses) or "TRUE", params


def _typed(name: str, values) -> list:
    if name in ("year", "document"):
        return [int(v) for v in values if str(v).lstrip("-").isdigit()]
    return [str(v) for v in values]


def statement(query: Query) -> Statement:
    built = _Builder()
    # The speeches the index holds (models.LIVE_STATUSES), as Whoosh's holds them: a
    # document queued to be parsed again keeps its speeches; one that failed has none.
    built.ctes.append(
        "canon AS (SELECT s.id FROM speeches_speech s JOIN speeches_document d ON d.id = s.document_id"
        f" WHERE s.duplicate_of_id IS NULL AND d.status IN ({LIVE}))"
    )
    base = built.tree(query.tree) if query.tree is not None else "SELECT id FROM canon"
    built.cte("base", base, [])
    where, where_params = _where(query.filters)
    built.cte(
        "m",
        f"SELECT s.id, s.char_count, s.year FROM speeches_speech s WHERE s.id IN (SELECT id FROM base) AND {where}",
        where_params,
    )
    parts, params = ["SELECT 'count', NULL, count(*)::float8, 0 FROM m"], []
    for name in query.facets:
        sql, facet_params = _facet(name, query.filters)
        parts.append(sql)
        params.extend(facet_params)
    terms: list[q.Term] = []
    ranked = query.tree is not None and query.sort not in SORT_COLUMNS
    if ranked:
        terms = positive_terms(query.tree)
        sql, rank_params = _ranked(built, terms, query.offset + query.limit)
        parts.append(sql)
        params.extend(rank_params)
    else:
        order = _SORT_SQL.get(query.sort, _SORT_SQL["year"])
        parts.append(
            "SELECT 'hit', id::text, 0, 0 FROM (SELECT s.id FROM speeches_speech s"
            f" WHERE s.id IN (SELECT id FROM m) ORDER BY {order}, s.id LIMIT %s OFFSET %s) h"
        )
        params.extend([query.limit, query.offset])
    sql = "WITH " + ",\n".join(built.ctes) + "\n" + "\nUNION ALL\n".join(parts)
    return Statement(sql, built.params + params, terms, ranked)


def _facet(name: str, filters: dict[str, frozenset[str]]) -> tuple[str, list]:
    """One facet's counts over the matches under every filter but its own."""
    where, params = _where(filters, leave_out=name)
    pool = f"SELECT s.id FROM speeches_speech s WHERE s.id IN (SELECT id FROM base) AND {where}"
    if name == "topic":
        return (
            f"SELECT 'topic', t.slug, count(*)::float8, 0 FROM speeches_speechtopic st"
            f" JOIN speeches_topic t ON t.id = st.topic_id WHERE st.speech_id IN ({pool}) GROUP BY t.slug"
        ), params
    if name == "place":
        # Each place counted at every level it is filed under, as models.place_keys files it.
        return (
            "SELECT 'place', v, count(*)::float8, 0 FROM (SELECT array_to_string(parts[1:n], '·') AS v"
            " FROM (SELECT string_to_array(s.region, '·') AS parts FROM speeches_speech s"
            f" WHERE s.id IN ({pool}) AND s.region <> '') r,"
            " generate_series(1, array_length(r.parts, 1)) AS n) p GROUP BY v"
        ), params
    value, present = _FACETS[name]
    return (
        f"SELECT %s, {value}, count(*)::float8, 0 FROM speeches_speech s"
        f" WHERE s.id IN ({pool}) AND {present} GROUP BY {value}"
    ), [name, *params]


def _ranked(built: _Builder, terms: list[q.Term], needed: int) -> tuple[str, list]:
    """The best max(needed, PROXIMITY_POOL) matches with their titles counts and BM25
    scores (speeches.search.relevance), and how many speeches hold each term."""
    parts, params = ["SELECT 'total', NULL, count(*)::float8, 0 FROM canon"], []
    joins, titles, scores = [], [], []
    for number, term in enumerate(terms):
        held = built.term_set(term)
        parts.append(f"SELECT 'held', '{number}', count(*)::float8, 0 FROM {held}")
        tf = f"f{number}"
        built.cte(tf, *_frequencies(term))
        joins.append(f"LEFT JOIN {tf} ON {tf}.id = m.id")
        weight = (
            f"ln(1 + ((SELECT count(*) FROM canon) - (SELECT count(*) FROM {held}) + 0.5)"
            f" / ((SELECT count(*) FROM {held}) + 0.5))"
        )
        found = f"greatest(coalesce({tf}.n, 0), 1)"
        scores.append(
            f"CASE WHEN m.id IN (SELECT id FROM {held}) THEN {weight} * {K1 + 1} * {found}"
            f" / ({found} + norm.k) ELSE 0 END"
        )
        if term.field == "text":
            in_title = built.term_set(q.Term(term.text, "title"))
            titles.append(f"(m.id IN (SELECT id FROM {in_title}))::int")
    # BM25's length part; a speech of no recorded length counts as average.
    average = "(SELECT coalesce(nullif(avg(char_count), 0), 1) FROM speeches_speech WHERE duplicate_of_id IS NULL)"
    norm = (
        f"CROSS JOIN LATERAL (SELECT {K1} * (1 - {B} + {B} * (CASE WHEN m.char_count > 0 THEN m.char_count"
        f" ELSE {average} END) / {average}) AS k) norm"
    )
    built.cte(
        "scored",
        f"SELECT m.id, {' + '.join(titles) or '0'} AS titles, {' + '.join(scores) or '0'} AS score"
        f" FROM m {' '.join(joins)} {norm}",
        [],
    )
    parts.append(
        "SELECT 'hit', id::text, score, titles FROM (SELECT id, titles, score FROM scored"
        " ORDER BY titles DESC, score DESC, id LIMIT %s) h"
    )
    params.append(max(needed, PROXIMITY_POOL))
    return "\nUNION ALL\n".join(parts), params


def _frequencies(term: q.Term) -> tuple[str, list]:
    """Per matching speech, how often the term occurs in its own rows: as a whole
    jieba word, plus (two characters or more, see relevance) as a string not wholly
    in a chunk's lead. ts_rank_cd with these weights adds 1 an occurrence (rows.py)."""
    part = f"r.part = {TITLE_PART}" if term.field == "title" else f"r.part > {TITLE_PART}"
    count = "ts_rank_cd('{1,1,1,1}', r.words, %s::tsquery, 0)"
    params: list = [lexeme(term.text)]
    if len(term.text) > 1:
        # A chunk without a lead (every speech's first) has nothing to take away.
        count += (
            " + ts_rank_cd('{1,1,1,1}', r.grams, %s::tsquery, 0)"
            " - CASE WHEN r.lead > 0 THEN ts_rank_cd('{1,0,0,0}', r.grams, %s::tsquery, 0) ELSE 0 END"
        )
        params += [tsquery(term.text)] * 2
    sql = (
        f"SELECT r.speech_id AS id, round(sum({count}))::int AS n FROM speeches_searchrow r"
        f" WHERE r.speech_id IN (SELECT id FROM m) AND {part} GROUP BY r.speech_id"
    )
    return sql, params
