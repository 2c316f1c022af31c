"""Rebuild the whole search index from the database."""

from django.core.management.base import BaseCommand

from speeches.indexing import rebuild_index


class Command(BaseCommand):
    help = "Clear the Whoosh index and index every ingested document again (one writer per document)."

    def handle(self, *args, **options):
        total = rebuild_index()
        self.stdout.write(f"indexed {total} speeches")
