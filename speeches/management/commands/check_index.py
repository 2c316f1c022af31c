"""Report documents whose search index entries, raw copy or id history disagree with the
database; --fix repairs them."""

from django.core.management.base import BaseCommand, CommandError

from archive.pending_migrations import require_migrated
from speeches.engine_state import holds_every_change, switch_problem
from speeches.file_check import find_missing_files, write_missing_files
from speeches.index_check import find_mismatches, repair
from speeches.ingest import PIPELINE_VERSION
from speeches.locks import IndexBusy
from speeches.models import Document
from speeches.search.engine import engine


class Command(BaseCommand):
    help = (
        "Compare the search index with the database, document by document: speeches missing from the "
        "index, entries of speeches or documents that are gone, entries indexed twice, entries made from another "
        "title or text than the speech's (stale), search rows missing from a speech's (incomplete); and the "
        "files kept beside the database: each document's raw copy and id history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="re-index each disagreeing document (entries of gone documents are removed), and write "
            "missing raw copies and id histories from the database",
        )

    def handle(self, *args, **options):
        require_migrated()
        # An index an older version wrote, or one being rebuilt, is said in a line, not
        # a traceback (an index of 2026-11-22 gave 46 lines, hourly, from cron).
        try:
            described = engine().describe()
        except IndexBusy as error:
            described = f"the index cannot be read: {error}"
        self.stdout.write(f"search engine: {described}")
        files_problem = self.check_files(options["fix"])
        try:
            self.check_index(options["fix"])
        except (CommandError, IndexBusy) as error:
            raise CommandError("; ".join(filter(None, (str(error), files_problem)))) from None
        if files_problem:
            raise CommandError(files_problem)

    def check_index(self, fix: bool) -> None:
        # Not a disagreement: the index holds what the database holds. But text, titles
        # and what a query folds to (variants) follow the pipeline that parsed them.
        older = Document.objects.ingested().exclude(pipeline_version=PIPELINE_VERSION).count()
        if older:
            self.stdout.write(
                f"{older} documents were parsed by an older pipeline than this one ({PIPELINE_VERSION}): "
                "run `manage.py rebuild_from_raw` to restore them with it (permanent ids are kept)"
            )
        # Entries written by other code (another fold, other word counts) hold the same
        # speeches, so the comparison below cannot see it; only a rebuild mends it.
        outdated = engine().format_problem()
        # Another engine took the archive's changes last (SEARCH_ENGINE was switched):
        # this one's searches say the index is being updated until it is known whole.
        switched = switch_problem()
        for problem in filter(None, (outdated, switched)):
            self.stdout.write(problem)
        mismatches = find_mismatches()
        for mismatch in mismatches:
            self.stdout.write(mismatch.describe())
        if not mismatches:
            self.stdout.write("index agrees with the database")
            if outdated:
                raise CommandError(outdated)
            if switched and not fix:
                raise CommandError(f"{switched} (or --fix: it holds what the database holds)")
            if switched:
                self.whole_again()
            return
        if not fix:
            if not engine().indexed_count():
                # Nothing indexed at all, as after switching SEARCH_ENGINE: one rebuild, not a repair a document at a time.
                raise CommandError(
                    f"the index is empty and {len(mismatches)} documents are missing from it: run `manage.py reindex` "
                    "(as after switching SEARCH_ENGINE), or --fix"
                )
            if switched:
                raise CommandError(f"{len(mismatches)} documents disagree with the index: {switched}")
            raise CommandError(f"{len(mismatches)} documents disagree with the index (run with --fix)")
        repair(mismatches)
        left = find_mismatches()
        if left:
            raise CommandError(f"{len(left)} documents still disagree after --fix")
        self.stdout.write(f"repaired {len(mismatches)} documents")
        if outdated:
            raise CommandError(outdated)
        if switched:  # it holds what the database holds now: its searches answer again
            self.whole_again()

    def whole_again(self) -> None:
        holds_every_change()
        self.stdout.write(f"the {engine().name} engine holds every change again")

    def check_files(self, fix: bool) -> str:
        """The raw copies and id histories; what is still wrong ("" when nothing is)."""
        missing = find_missing_files()
        for problem in missing:
            self.stdout.write(problem.describe())
        if not missing:
            self.stdout.write("raw copies and id histories agree with the database")
            return ""
        if not fix:
            return f"{len(missing)} files beside the database are missing or stale (run with --fix)"
        write_missing_files(missing)
        left = find_missing_files()
        if left:
            return f"{len(left)} files beside the database still missing or stale after --fix"
        self.stdout.write(f"wrote {len(missing)} files beside the database")
        return ""
