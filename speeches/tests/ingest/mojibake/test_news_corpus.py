"""The People's Daily n-grams of the mojibake model (speeches/ingest/mojibake/news_corpus.py)."""

from __future__ import annotations

from speeches.ingest.mojibake import news_corpus
from speeches.ingest.mojibake.constants import MIN_TRIGRAM

TAGGED = "迈向/v  充满/v  希望/n  的/u  新/a  世纪/n  ，/w  １９９８年/t\n新年/t  讲话/n\n"


def _corpus(tmp_path, text=TAGGED):
    path = tmp_path / "199801.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_tagged_line_becomes_the_text_as_the_model_looks_it_up(tmp_path):
    # Tags go, words join, full-width signs and digits become ASCII (simplify_chars).
    assert news_corpus.read_lines(_corpus(tmp_path)) == ["迈向充满希望的新世纪,1998年", "新年讲话"]


def test_bigrams_are_all_kept_and_trigrams_seen_once_are_left_out():
    bigrams, trigrams = news_corpus.count(["新年讲话", "新年好"])
    assert bigrams == {"新年": 2, "年讲": 1, "讲话": 1, "年好": 1}
    assert MIN_TRIGRAM == 2 and trigrams == {}
    _, trigrams = news_corpus.count(["新年讲话", "新年讲课"])
    assert trigrams == {"新年讲": 2}


def test_the_counts_are_cached_and_counted_again_for_another_corpus(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    monkeypatch.setattr(news_corpus, "corpus_path", lambda: corpus)
    cache = tmp_path / "cache" / "news.marshal"
    first = news_corpus.news_ngrams.__wrapped__(cache)
    assert cache.exists() and first[0]["新年"] == 1
    # Read back from the cache, not counted: a corpus of the same size but other text
    # would give other counts if it were counted again.
    corpus.write_text(TAGGED.replace("新年", "旧年"), encoding="utf-8")
    assert news_corpus.news_ngrams.__wrapped__(cache) == first
    # Another size is another corpus: counted again.
    corpus.write_text(TAGGED + "新年/t  好/a\n", encoding="utf-8")
    assert news_corpus.news_ngrams.__wrapped__(cache)[0]["新年"] == 2


def test_a_damaged_cache_is_counted_again(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    monkeypatch.setattr(news_corpus, "corpus_path", lambda: corpus)
    cache = tmp_path / "news.marshal"
    cache.write_bytes(b"not marshal")
    assert news_corpus.news_ngrams.__wrapped__(cache)[0]["讲话"] == 1


def test_a_read_only_install_still_gets_the_counts(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    monkeypatch.setattr(news_corpus, "corpus_path", lambda: corpus)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    # (chmod cannot stop root, who runs CI, so the refusal is made here.)
    monkeypatch.setattr(news_corpus.tempfile, "mkstemp", refuse)
    bigrams, _ = news_corpus.news_ngrams.__wrapped__(tmp_path / "news.marshal")
    assert bigrams["讲话"] == 1
    assert not (tmp_path / "news.marshal").exists()


def test_the_installed_corpus_is_the_peoples_daily():
    path = news_corpus.corpus_path()
    assert path.name == "199801.txt" and path.stat().st_size > 10_000_000
