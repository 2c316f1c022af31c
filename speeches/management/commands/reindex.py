"""Rebuild the whole search index from the database."""

from django.core.management.base import BaseCommand, CommandError

from archive.pending_migrations import require_migrated
from speeches.indexing import rebuild_index
from speeches.locks import IndexBusy
from speeches.search.engine import engine


class Command(BaseCommand):
    help = (
        "Index every speech of every ingested document again, with the engine SEARCH_ENGINE names. Whoosh "
        "builds beside the live index (searches meanwhile read the old one, replaced when the new one is "
        "complete); PostgreSQL likewise writes its rows into a table beside the live one, which takes the "
        "live one's place when complete (searches and uploads go on meanwhile). Needed after switching "
        "SEARCH_ENGINE, upgrading the index's format or changing how text is folded."
    )

    def handle(self, *args, **options):
        require_migrated()
        try:
            total = rebuild_index()
        except IndexBusy as error:
            raise CommandError(f"the search index is busy: {error}") from error
        self.stdout.write(f"indexed {total} speeches ({engine().describe()})")
