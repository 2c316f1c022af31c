"""Ingest the uploads that were too big for a web request, and retry deferred index updates.

The admin upload queues files above INGEST_INLINE_MAX_BYTES (status "queued"). Run this
from cron (`manage.py process_uploads`: empties the queue, then exits) or as the compose
`worker` service (`--loop`). Several workers may run at once: each document is claimed
with a conditional UPDATE before it is ingested, so none is ingested twice.

With `--digest-every SECONDS` it also sends the search digests (speeches/digest.py, as
`manage.py send_search_digests`): after the first round, then after the first round once
each interval has passed, so a digest lists the uploads that round has just ingested.
"""

import logging
import signal
import threading
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from archive.pending_migrations import require_migrated
from speeches.digest import send_digests
from speeches.index_check import retry_pending
from speeches.loading import lower_priority, process_queue, requeue_stale

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Ingest queued uploads (oldest first) and retry index updates deferred while the index was busy."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep running, polling the queue every --interval seconds"
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="seconds between polls with --loop (default 10)"
        )
        parser.add_argument("--limit", type=int, default=None, help="ingest at most this many documents per round")
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=60,
            help="put documents left 'processing' longer than this (a worker died) back in the queue (default 60)",
        )
        parser.add_argument(
            "--digest-every",
            type=float,
            default=None,
            metavar="SECONDS",
            help="also send the search digests (send_search_digests) at start and then every SECONDS (default: never)",
        )

    def handle(self, *args, **options):
        require_migrated()
        lower_priority()
        # SIGTERM (docker stop, systemd) lets the current document finish, then stops:
        # none is left half-done in "processing" (compose gives the worker 2 minutes).
        self.stopping = threading.Event()
        previous = signal.signal(signal.SIGTERM, self.stop)
        digest_due = time.monotonic()
        try:
            while not self.stopping.is_set():
                try:
                    self.run_once(options["limit"], timedelta(minutes=options["stale_minutes"]))
                except Exception:
                    if not options["loop"]:
                        raise
                    # The database gone for a moment (a restart, a failover, a deadlock in
                    # the queue's own queries): the looping worker says so and tries again
                    # after its interval, on a new connection, instead of ending.
                    log.exception("a round of the upload queue failed; trying again after --interval")
                    close_old_connections()
                if options["digest_every"] is not None and time.monotonic() >= digest_due:
                    self.mail_digests()
                    digest_due = time.monotonic() + options["digest_every"]
                if not options["loop"]:
                    return
                self.stopping.wait(options["interval"])
        finally:
            signal.signal(signal.SIGTERM, previous)

    def stop(self, signum, frame):
        self.stdout.write("SIGTERM: finishing the current document, then stopping")
        self.stdout.flush()
        self.stopping.set()

    def run_once(self, limit=None, stale=timedelta(minutes=60)) -> list:
        requeued = requeue_stale(stale)
        if requeued:
            self.stdout.write(f"requeued {requeued} documents left processing by a stopped worker")
        stopping = getattr(self, "stopping", None)
        results = process_queue(limit, should_stop=stopping.is_set if stopping else None)
        for result in results:
            line = f"document {result.document_id}: {result.status} — {result.speeches} speeches. {result.message}"
            self.stdout.write(self.style.ERROR(line) if result.status == "failed" else line)
        retried = retry_pending()
        if retried:
            self.stdout.write(f"retried {retried} deferred index updates")
        return results

    def mail_digests(self) -> None:
        """A digest that fails must not stop the worker: the uploads come first."""
        try:
            report = send_digests()
        except Exception:
            log.exception("search digests failed; tried again after --digest-every")
            return
        if report.mails or report.failed or report.deferred:
            self.stdout.write(f"search digests: {report.describe()}")
