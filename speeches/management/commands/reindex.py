"""Rebuild the whole search index from the database."""

from django.core.management.base import BaseCommand

from speeches.indexing import rebuild_index
from speeches.search.engine import engine


class Command(BaseCommand):
    help = (
        "Index every speech of every ingested document again, with the engine SEARCH_ENGINE names, beside "
        "the live index: searches meanwhile are answered from the old one, which is replaced when the new "
        "one is complete. Needed after switching SEARCH_ENGINE or upgrading the index's format."
    )

    def handle(self, *args, **options):
        total = rebuild_index()
        self.stdout.write(f"indexed {total} speeches ({engine().describe()})")
