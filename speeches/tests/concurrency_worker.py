"""One process of test_concurrency: `setup`, `upload FILE...`, `search STOPFILE`, `reindex STOPFILE`, `verify`.

Works on the database and index named by DATABASE_URL and SEARCH_INDEX_DIR, through
Django's test client: uploads take the admin's code path and searches the public pages'.
Each request runs in a thread of its own (its own database connection), so the index
lock is contended by threads within a process as well as by processes.
Prints one JSON line; exits non-zero when any request failed.
"""

import json
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "speeches.tests.concurrency_settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

REPORT = re.compile(r'data-status="(\w+)">\s*<h3>(.*?) — ')
QUERIES = ["讲话", "部署", "工作", "同志们", "領導"]


def in_threads(target, args_list) -> list:
    """Run target(*args) in one thread each; return their results, or raise the first error."""
    results, errors = [None] * len(args_list), []

    def run(i, args):
        try:
            results[i] = target(*args)
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("\n".join(errors))
    return results


def setup() -> dict:
    from django.contrib.auth import get_user_model

    from speeches.indexing import indexed_count

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-for-tests-only")
    # Create the (empty) index before anything runs concurrently, as a deployment does.
    # Creating it is not guarded by the write lock: two processes that both find no index
    # race in Whoosh's create_index (NameError: File '_MAIN_0.toc' exists), reported to search.
    return {"ready": indexed_count() == 0}


def upload_one(path: str) -> dict:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    file = SimpleUploadedFile(Path(path).name, Path(path).read_bytes())
    response = client.post("/admin/speeches/document/upload/", {"files": [file]})
    assert response.status_code == 200, response.status_code
    # From the page itself: the test client's response.context is gathered from a
    # process-wide signal, so with requests in threads it mixes their contexts.
    return {name: status for status, name in REPORT.findall(response.content.decode())}


def search_until(stop_file: str) -> int:
    client, done, answered = Client(), 0, False
    while not Path(stop_file).exists():
        for query in QUERIES:
            for url in ("/search/", "/api/search"):
                response = client.get(url, {"q": query})
                # The API's answer while the index cannot say, before the first upload is
                # indexed (its speeches committed, the index still empty): ask again
                # later. Once it has found something in the index, never again.
                busy = response.status_code == 503 and url == "/api/search" and response.has_header("Retry-After")
                assert response.status_code == 200 or (busy and not answered), (url, query, response.status_code)
                found = url == "/api/search" and response.status_code == 200 and response.json()["count"] > 0
                answered |= found
                done += 1
    assert answered, "the API never answered a search with what the index held"
    return done


def reindex_until(stop_file: str) -> int:
    """The admin's re-index action, over and over: a third writer contending for the index."""
    from speeches.indexing import index_document
    from speeches.models import Document

    done = 0
    while not Path(stop_file).exists():
        for pk in Document.objects.ingested().values_list("pk", flat=True):
            index_document(pk)
            done += 1
        time.sleep(0.05)
    return done


def verify() -> dict:
    from speeches.index_check import database_entries, find_mismatches, indexed_entries, retry_pending

    # An upload request waits for the index at most INDEX_LOCK_TIMEOUT_REQUEST (5 s); under
    # load it may leave its update to the worker, as production does (documents marked
    # pending). The worker's step runs first, then every speech must be indexed once.
    pending = retry_pending()
    indexed = [entry.public_id for entries in indexed_entries().values() for entry in entries]
    expected = [public_id for titles in database_entries().values() for public_id in titles]
    return {
        "indexed": indexed,
        "expected": expected,
        "mismatches": [m.describe() for m in find_mismatches()],
        "pending": pending,
    }


def main(mode: str, args: list[str]) -> dict:
    if mode == "setup":
        return setup()
    if mode == "upload":
        return {"uploads": in_threads(upload_one, [(path,) for path in args])}
    if mode == "search":
        return {"searches": sum(in_threads(search_until, [(args[0],), (args[0],)]))}
    if mode == "reindex":
        return {"reindexed": reindex_until(args[0])}
    if mode == "verify":
        return verify()
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:]), ensure_ascii=False))
