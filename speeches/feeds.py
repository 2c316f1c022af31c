"""An Atom feed for any search, with its filters: a researcher follows a query in a
feed reader (/search/feed.atom?q=…&topic=…, linked from the results page).

The speeches that came into the archive last first, whatever their year; at most
FEED_SIZE. A feed tells its reader what is new: sorted by year, a broad query's feed
was full of dated speeches and a new undated one (most of the sample) never entered
it. The set is the search's own (speeches.search, sort "newest"), so the feed never
shows a speech the results page would not.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from .alerts import describe
from .locks import IndexBusy
from .search import SearchParams, search_speeches
from .search.params import without_controls
from .search.query import blank
from .search.service import INDEX_BUSY
from .spreadsheets import busy_response

FEED_SIZE = 50


class SearchFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        # A feed reader that got an empty feed while the index was rebuilt would show
        # nothing new; one told 503 asks again later.
        try:
            return super().__call__(request, *args, **kwargs)
        except IndexBusy:
            return busy_response(INDEX_BUSY)

    def get_object(self, request):
        params = SearchParams.from_querydict(request.GET)
        return replace(params, sort="newest", page=1, page_size=FEED_SIZE)

    def title(self, params: SearchParams) -> str:
        # The search's words and its filters, as a saved search is labelled: two feeds of
        # one query filtered otherwise are two feeds in a reader.
        return f"讲话档案：{describe(params) or '检索'}"

    def subtitle(self, params: SearchParams) -> str:
        return "与检索条件相符的讲话，按入库时间由新到旧。"

    def link(self, params: SearchParams) -> str:
        return reverse("search") + params.url()

    def feed_url(self, params: SearchParams) -> str:
        return reverse("search-feed") + params.url(sort=None)

    def items(self, params: SearchParams):
        if blank(params.q) and not params.has_filters:
            return []
        results = search_speeches(params=params, facets=False, damaged=False)
        if results.message == INDEX_BUSY:
            raise IndexBusy(INDEX_BUSY)
        return results.hits

    def item_title(self, hit) -> str:
        return without_controls(hit.speech.title_with_year)

    def item_link(self, hit) -> str:
        # Also the entry's id: the speech's permanent URL, made absolute by the feed (Atom
        # asks for an absolute id; a relative one was given before).
        return hit.speech.get_absolute_url()

    def item_description(self, hit) -> str:
        # Each snippet is marked cut at its ends already (…安全生产…): one space between.
        text = " ".join(strip_tags(snippet) for snippet in hit.snippets)
        return without_controls(text or hit.speech.text[:200])

    def item_pubdate(self, hit):
        return hit.speech.created_at

    def item_updateddate(self, hit):
        return hit.speech.updated_at

    def item_categories(self, hit):
        return [topic.name for topic in hit.speech.topics.all()]
