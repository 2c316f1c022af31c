"""haystack's clear_index, refused: it would empty the live index researchers search.

This app comes before haystack in settings.INSTALLED_APPS, so `manage.py clear_index`
runs this command, which refuses before anything is printed or asked (haystack's
printed "Removing all documents from your index because you said so." first and
only then found the backend's clear() refused). It takes haystack's options, so a
script that passes them gets the refusal, not a usage error.
"""

from django.core.management.base import BaseCommand, CommandError

from speeches.indexing import CLEAR_REFUSED


class Command(BaseCommand):
    help = "Refused (it would empty the live search index): run `manage.py reindex` instead."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", action="store_false", dest="interactive", help="ignored: refused anyway")
        parser.add_argument("-u", "--using", action="append", default=[], help="ignored: refused anyway")
        parser.add_argument("--nocommit", action="store_false", dest="commit", help="ignored: refused anyway")

    def handle(self, *args, **options):
        raise CommandError(CLEAR_REFUSED)
