"""CSV downloads, made for the spreadsheet a researcher opens them in.

A byte order mark first, so that Excel reads the Chinese as UTF-8; and a cell that
starts as a formula does (= + - @, or a tab or carriage return before one) gets an
apostrophe in front, which a spreadsheet shows as text and does not run: a title, a
note or a concordance's context ("----基础", in the sample itself) is text, and an
uploaded page or a shared bookmark list must not run a formula on the reader's machine.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """The cell as a spreadsheet must read it: a string that a formula could start with
    behind an apostrophe; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# How long a client is asked to wait before asking again while the index is rebuilt.
RETRY_AFTER_S = 60


def busy_response(message: str, retry_after: int = RETRY_AFTER_S) -> HttpResponse:
    """A download asked for while the search index is being rebuilt (or must be, after
    an upgrade): 503 with Retry-After, not a file of headers alone. A researcher's
    scripted download could not tell that empty file from a search that found nothing."""
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def csv_response(filename: str, rows: Iterable[Iterable], header: Iterable[str] | None = None) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([as_text(value) for value in row])
    return response
