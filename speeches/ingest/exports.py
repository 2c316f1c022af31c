"""Data that is no page: a scraper's JSON or JSON Lines, a spreadsheet's CSV, refused with a
reason (decode.py calls refuse_data_export on the page as decoded)."""

from __future__ import annotations

import csv
import io
import json
import re
from itertools import islice

from .types import Decoded, IngestError

# A first line of field names (title,date,text): a spreadsheet's or a scraper's export.
# Two of its names must be such a table's: a page's first line of ASCII words with commas
# (site chrome) is no header, nor is a first sentence with ASCII commas (004 writes them).
_FIELD_NAMES = frozenset(
    "title text content body date time url link author source speaker id name summary "
    "标题 题目 正文 内容 日期 时间 作者 来源 链接 讲话人 发言人".split()
)
_DELIMITERS = ",\t;"
_LINE_END = re.compile(r"\r\n|\r|\n")


def _header_delimiter(first_line: str) -> str:
    for delimiter in _DELIMITERS:
        names = [name.strip().strip('"').lower() for name in first_line.split(delimiter)]
        if len(names) >= 2 and sum(name in _FIELD_NAMES for name in names) >= 2:
            return delimiter
    return ""


def refuse_data_export(decoded: Decoded) -> Decoded:
    """A JSON or CSV export (a scraper's output, a spreadsheet) is data, not a page: read as
    one, it became a single "speech" titled `[{"title": "…", "speaker": "` holding its
    records, their quotes and literal \\n's, and a CSV's rows merged under `title,date,text`."""
    text = decoded.text.lstrip("\ufeff \t\r\n")
    if text[:1] in "[{":
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            json.loads(text)
            found = "JSON"
        except ValueError:
            found = "JSON Lines" if lines and all(_json_object(line) for line in lines[:20]) else ""
        if found:
            raise IngestError(
                f"这是 {found} 数据（爬虫或程序的导出），不是网页或文本：请上传网页，或每篇讲话一个文本文件"
                f"（{found} data, not a page）"
            )
    # The first line alone: splitlines() cut every page whole into a list to read it.
    first_line = _LINE_END.split(text, maxsplit=1)[0].strip()
    delimiter = _header_delimiter(first_line)
    if delimiter:
        # Records as a spreadsheet writes them (a field holding lines is quoted; lines
        # may end in CR alone, as Excel for Mac writes them): most have as many fields
        # as the header names.
        fields = len(first_line.split(delimiter))
        records = _first_records(text, delimiter)
        if records and sum(len(record) == fields for record in records) >= len(records) * 0.8:
            raise IngestError(
                "这是 CSV 表格数据（第一行是字段名），不是网页或文本：请上传网页，或每篇讲话一个文本文件"
                "（CSV data with a header row, not a page）"
            )
    return decoded


def _json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _first_records(text: str, delimiter: str, count: int = 20) -> list[list[str]]:
    """The records after the header, as many as read before the csv module gives up (an
    unclosed quote, a field past its size limit): those it read are what is judged."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        next(reader, None)
        for record in islice(reader, count):
            records.append(record)
    except csv.Error:
        pass
    return records
