"""Searching speeches: parameters in, one page of hits with snippets and facets out.

Views, the API and the exports call `search_speeches`; none builds queries itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import SafeString

from ..engine_state import switch_problem
from ..locks import IndexBusy
from ..models import Document, Section, Speech, Topic
from .analysis import normalize
from .damaged import widened_query
from .engine import FACETS, SORT_COLUMNS, Query, engine
from .params import UNDATED, SearchParams
from .query import blank, parse_query
from .snippets import best_paragraph, highlight, kwic

# Exports carry every page of a result set up to this many speeches.
EXPORT_LIMIT = 2000
# Possible matches in damaged text (see damaged.py) listed under the first page of results.
DAMAGED_SHOWN = 5
LEVEL_LABELS = {"": "未注明"}
NOTHING_FOUND = "没有找到相符的讲话。"
# A search the index could not answer now; the search digest (speeches/digest.py) tries again later.
INDEX_BUSY = "检索索引正在更新，请稍后再试。"


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    field_name: str = ""
    params: SearchParams | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The page's URL with this value toggled. Made when a template asks: the
        API and exports never show it, and a facet can list 200 documents."""
        return self.params.toggled(self.field_name, self.value) if self.params else ""


@dataclass
class Hit:
    speech: Speech
    score: float
    snippets: list[SafeString] = field(default_factory=list)
    paragraph: str = ""
    section: str = ""
    title_html: SafeString | str = ""
    duplicates: int = 0
    # The copy whose text holds a term the speech itself does not (an edited re-upload).
    version: Speech | None = None


@dataclass
class DamagedHit:
    """A speech where a word of the query may stand with one character lost (〓)."""

    hit: Hit
    variant: str  # the marked form found in the speech, e.g. 一防三〓
    word: str  # the query's word it may be, e.g. 一防三保


@dataclass
class DamagedMatches:
    count: int
    hits: list[DamagedHit]


@dataclass
class Results:
    query: str
    count: int = 0
    page: int = 1
    page_size: int = 20
    hits: list[Hit] = field(default_factory=list)
    message: str = ""
    terms: tuple[str, ...] = ()
    text_terms: tuple[str, ...] = ()  # those looked for in the text too, not in titles only
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    params: SearchParams | None = None
    damaged: DamagedMatches | None = None
    # A query typed that asks for nothing (-疫情 alone): nothing to subscribe to or save.
    nothing_to_find: bool = False
    # The order the hits are in: a browse without a term asked "by relevance" is by year
    # (engine.SORT_COLUMNS), and its hits carry no score.
    sort: str = "relevance"
    ranked: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def search_speeches(
    raw_query: str | SearchParams = "",
    page: int = 1,
    page_size: int = 20,
    *,
    params: SearchParams | None = None,
    snippets: bool = True,
    facets: bool = True,
    limit: int | None = None,
    damaged: bool | None = None,
    browse_all: bool = False,
) -> Results:
    """One page of canonical speeches for the query and filters in `params`.

    `limit` (exports) lifts the page-size cap of the page and the API. With `snippets`
    (the page and the API), the first page also lists possible matches in damaged text,
    unless `damaged` is False (the feed shows snippets but no such list).
    An empty query without filters finds nothing (the search form, not yet filled in),
    unless `browse_all`: then every speech, the denominators of the trends' rates
    (speeches/search/counts.py), counted by the same engine call as their numerators.
    """
    if params is None:
        params = SearchParams(q=raw_query, page=max(1, page), page_size=max(1, min(page_size, 100)))
    size = limit or params.page_size
    parsed = parse_query(params.q)
    message = " ".join(filter(None, (parsed.message, *params.notes)))
    results = Results(
        params.q,
        page=params.page,
        page_size=size,
        message=message,
        terms=parsed.terms,
        text_terms=parsed.text_terms,
        params=params,
        nothing_to_find=parsed.tree is None and not blank(params.q),
        sort=params.sort,
    )
    # A query typed that finds nothing to look for (-安全 alone, signs only) finds
    # nothing, filters or not: with a topic it listed every speech of the topic, those
    # saying 安全 among them, and its total, exports and feed with it.
    if parsed.tree is None and (results.nothing_to_find or not (params.has_filters or browse_all)):
        return results
    try:
        missed = switch_problem()
        if missed:
            raise IndexBusy(missed)
        found = engine().answer(
            Query(
                parsed.tree,
                params.filters(),
                FACETS if facets else (),
                sort=params.sort,
                offset=(params.page - 1) * size,
                limit=size,
            )
        )
    except (RecursionError, ValueError) as error:
        results.message = f"无法执行该查询，请简化后再试。（{type(error).__name__}）"
        return results
    except IndexBusy:
        results.message = INDEX_BUSY
        return results
    results.count = found.count
    results.ranked = parsed.tree is not None and params.sort not in SORT_COLUMNS
    results.sort = params.sort if results.ranked or params.sort in SORT_COLUMNS else "year"
    if not found.count and not results.message:
        results.message = NOTHING_FOUND
    results.hits = _hits(found.hits, parsed.terms, snippets)
    if facets:
        results.facets = _label_facets(found.facets, params)
    if (snippets if damaged is None else damaged) and params.page == 1:
        results.damaged = _damaged_matches(parsed.tree, params)
        if results.damaged and results.message == NOTHING_FOUND:
            results.message = "没有找到完全相符的讲话；下方列出了可能的匹配（原文残缺处）。"
    return results


def _damaged_matches(tree, params: SearchParams) -> DamagedMatches | None:
    """Speeches, under the same filters, where a word of the query may stand with one
    character marked as lost, and which the query itself did not find (damaged.py)."""
    widened, stands_for = widened_query(tree)
    if widened is None:
        return None
    try:
        found = engine().answer(Query(widened, params.filters(), limit=DAMAGED_SHOWN))
    except (RecursionError, ValueError, IndexBusy):
        return None  # the results above already say what went wrong, if anything did
    if not found.count:
        return None
    variants = tuple(stands_for)
    hits = []
    for hit in _hits(found.hits, variants, True):
        # The speech's text is simplified already, as the variants are; a form only a copy
        # holds is named from the copy's text (it was named 〓地报建, found nowhere, for
        # 属地报〓 in the copy).
        texts = [hit.speech.text] + ([hit.version.text] if hit.version is not None else [])
        variant = next((v for text in texts for v in variants if v in text), variants[0])
        hits.append(DamagedHit(hit, variant, stands_for[variant]))
    return DamagedMatches(found.count, hits)


# What a hit never shows: the original text and the document's report and texts.
HIT_DEFERRED = ("original_text", "document__report", "document__preamble", "document__error")


def _hits(raw_hits, terms: tuple[str, ...], with_snippets: bool) -> list[Hit]:
    queryset = Speech.objects.for_listing().defer(*HIT_DEFERRED)
    if not with_snippets:
        queryset = queryset.defer("text")
    pks = [pk for pk, _ in raw_hits]
    speeches = queryset.in_bulk(pks)
    headings: dict[int, list[tuple[int, str]]] = {}
    if with_snippets:
        # Only what locating a paragraph's section needs, as tuples (model instances of
        # every section of the page's speeches were a tenth of a search's time).
        found = Section.objects.filter(speech_id__in=pks).exclude(heading="").order_by("speech_id", "ordinal")
        for speech_id, first, heading in found.values_list("speech_id", "first_paragraph", "heading"):
            headings.setdefault(speech_id, []).append((first, heading))
    # A separate small query: annotating the page's rows would GROUP BY their texts.
    duplicates = dict(
        Speech.objects.filter(duplicate_of__in=pks).values_list("duplicate_of").annotate(n=Count("id")).order_by()
    )
    hits = []
    for pk, score in raw_hits:
        speech = speeches.get(pk)
        if speech is None:  # index ahead of the database: check_index --fix repairs it
            continue
        hit = Hit(speech, score, duplicates=duplicates.get(pk, 0), title_html=speech.title)
        if with_snippets:
            _explain(hit, terms, headings.get(pk, []))
        hits.append(hit)
    return hits


def _explain(hit: Hit, terms: tuple[str, ...], headings: list[tuple[int, str]]) -> None:
    """Snippets, highlighted title and the paragraph (and its section) to link to;
    `headings`: the speech's sections' (first paragraph, heading), in order."""
    speech = hit.speech
    # A title the archive supplied is not searched (Speech.searched_title): nothing in it
    # matched; nor did the words it added in square brackets ([其一]), left unmarked.
    if not speech.title_supplied:
        searched = speech.searched_title
        hit.title_html = highlight(searched, terms) + escape(speech.title[len(searched) :])
    hit.snippets = kwic(speech.text, terms)
    hit.paragraph = best_paragraph(speech.paragraphs(), terms)
    if hit.duplicates:
        folded = normalize(f"{speech.searched_title}\n{speech.text}")
        missing = tuple(term for term in terms if normalize(term) not in folded)
        if missing:
            _explain_by_version(hit, terms, missing)
    if hit.paragraph:
        number = int(hit.paragraph[1:])
        sections = [heading for first, heading in headings if first <= number]
        hit.section = sections[-1] if sections else ""


def _explain_by_version(hit: Hit, terms: tuple[str, ...], missing: tuple[str, ...]) -> None:
    """A speech found through a copy: the snippet comes from the copy that holds the
    terms the speech's own text lacks, then the speech's own best one that does not
    repeat them (an edited re-upload holds most of the speech's text), and the hit
    names that copy."""
    copies = Speech.objects.filter(duplicate_of=hit.speech).with_document().defer(*HIT_DEFERRED)
    for copy in copies.order_by("pk"):
        folded = normalize(f"{copy.searched_title}\n{copy.text}")
        if any(normalize(term) in folded for term in missing):
            hit.version = copy
            shown = kwic(copy.text, missing)
            hit.snippets = shown + kwic(hit.speech.text, terms, limit=1, besides=shown)
            return


def _listed(counted: dict[str, int], selected) -> list[int]:
    """Document ids a facet lists: those counted and those selected."""
    return [int(v) for v in {*counted, *map(str, selected)} if v.isdigit()]


def _label_facets(counts: dict[str, dict[str, int]], params: SearchParams) -> dict[str, list[FacetValue]]:
    labels = {
        "topic": dict(Topic.objects.values_list("slug", "name")),
        # Only the documents listed, as tuples: the archive may hold thousands.
        "document": {
            str(pk): Document.title_of(*titles)
            # A document out of the archive (a failed upload) is named to no one: its id is shown.
            for pk, *titles in Document.objects.public()
            .filter(pk__in=_listed(counts.get("document", {}), params.document))
            .values_list("id", "title", "supplied_title", "original_name")
            .iterator()
        },
        "year": {UNDATED: "年份不确定"},
    }
    out = {}
    for name, values in counts.items():
        selected = {str(v) for v in getattr(params, name)}
        items = [
            FacetValue(value, labels.get(name, {}).get(value, value), n, value in selected, name, params)
            for value, n in values.items()
        ]
        # Selected values stay listed (with count 0) so they can be unselected.
        for value in selected - set(values):
            items.append(FacetValue(value, labels.get(name, {}).get(value, value), 0, True, name, params))
        if name == "year":
            # Newest first, 年份不确定 last.
            items.sort(key=lambda f: (f.value != UNDATED, f.value), reverse=True)
        else:
            items.sort(key=lambda f: (-f.count, f.label))
        out[name] = items
    return out
