"""Rebuild the whole search index from the database."""

from django.core.management.base import BaseCommand

from archive.pending_migrations import require_migrated
from speeches.indexing import rebuild_index
from speeches.search.engine import engine


class Command(BaseCommand):
    help = (
        "Index every speech of every ingested document again, with the engine SEARCH_ENGINE names. Whoosh "
        "builds beside the live index (searches meanwhile read the old one, replaced when the new one is "
        "complete); PostgreSQL rewrites its rows and index in one transaction (searches wait until it "
        "commits, about 2 min for 20,000 speeches). Needed after switching SEARCH_ENGINE, upgrading the "
        "index's format or changing how text is folded."
    )

    def handle(self, *args, **options):
        require_migrated()
        total = rebuild_index()
        self.stdout.write(f"indexed {total} speeches ({engine().describe()})")
