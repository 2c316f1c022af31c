"""haystack's rebuild_index (its clear_index, then update_index), refused before
anything is printed or asked, as clear_index is (speeches/management/commands/clear_index.py):
`manage.py reindex` rebuilds beside the live index instead. It takes haystack's options."""

from speeches.management.commands import clear_index


class Command(clear_index.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        for flags in (("-k", "--workers"), ("-b", "--batch-size"), ("-t", "--max-retries")):
            parser.add_argument(*flags, type=int, help="ignored: refused anyway")
