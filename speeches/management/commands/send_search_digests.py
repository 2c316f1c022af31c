"""Mail each researcher the speeches that newly match their saved searches (speeches/digest.py).

Run it from cron (`manage.py send_search_digests`, e.g. daily), or let the upload worker
run it (`process_uploads --loop --digest-every 86400`, as docker-compose.yml's `worker`
does). Running it again right away sends nothing: each search remembers what it was
last checked against. A mail that could not be sent is tried again next run.
"""

from django.core.management.base import BaseCommand, CommandError

from archive.pending_migrations import require_migrated
from speeches.digest import send_digests


class Command(BaseCommand):
    help = "Send one e-mail per researcher listing the new speeches that match their saved searches."

    def handle(self, *args, **options):
        require_migrated()
        report = send_digests()
        self.stdout.write(report.describe())
        if report.failed:
            raise CommandError(f"{len(report.failed)} digests could not be sent (tried again next run)")
