"""Restoration's report: what an admin reads about the characters it could not restore."""

from speeches.ingest.restore import marked_places


def test_the_warning_about_marked_characters_quotes_where_they_stand():
    # 001 line 204: 立足新起點?開啟新征程 — a lost character the page shows as "?".
    before = "同志们:\n立足新起点?开启新征程。\n原有的〓不算"
    after = "同志们:\n立足新起点〓开启新征程。\n原有的〓不算"
    assert marked_places(before, after) == "：…立足新起点〓开启新征程。…"
    assert marked_places("a\nb", "a\nb") == ""
