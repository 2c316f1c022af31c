"""The query language, parsed into a small engine-neutral tree.

    安全生产          the string 安全生产, wherever it stands (across jieba's word
                     boundaries: 讲话 finds 讲话稿; one character, 煤, is a string too)
    疫情 防控        both strings (AND), anywhere in the speech
    "a b"            a string with a space in it (between Latin words)
    疫情 OR 防汛      either (or, |)
    -考试            excludes speeches holding 考试 (NOT 考试 says the same); -(a OR b),
                     -title:考试 and -"a b" exclude what they would find
    title:考试       only in titles (title:"……" for a string with spaces, title:(a OR b))
    (a OR b) c       brackets group

Operators may be typed full-width (－考试, （a ＯＲ b）, title：考试, ＂a b＂), as an input
method gives them, in any case (or, not), with Chinese quotation marks (“a b”, 「a b」),
a dash of any kind before a word (—考试), a space after title: and a minus typed twice.
A sign the language does not have (a wildcard *, another engine's NOT: ! ~ ^, a minus
standing alone) is left out and the message says so.

A term is a character string of the script-folded text (simplified, lower case),
as in the corpus tools researchers know (CCL, BCC, KonText, the Chinese Text
Project), never jieba's words: counting a compound as its words ANDed anywhere
made totals, facets and trends about twice too large. The tree (Term, All, Any,
Not) is answered by each engine behind speeches.search.engine, so the engine can
change without touching the language. The parser never raises: unbalanced quotes or
brackets, lone operators and over-long input are repaired and explained in
`message`, because a researcher's query must never cost a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ingest.markup import INVISIBLE
from ..ingest.script import ascii_form, to_simplified
from .analysis import normalize

# Engines' own query parsers recurse past Python's limit near 1,000 Han characters
# (Whoosh's did); we build queries ourselves, but still keep them small: a term of
# 200 characters is 199 bigrams to look up.
MAX_QUERY_CHARS = 200
MAX_CLAUSES = 32
MAX_DEPTH = 8
# A quoted string may carry a minus: -"安全 生产" excludes it.
_TOKEN = re.compile(r'-*"[^"]*"?|\(|\)|\||[^\s()"|]+')
# What researchers type for the operators besides their ASCII forms: Chinese quotation
# marks (the search form itself says “引号”), dashes an input method or a word processor
# gives for a minus at the start of a word, and a vertical bar for OR (_TOKEN above).
# The pairs of quotation marks. An opening mark at a term's start or a closing one at its
# end, its partner not in the term, is what an input method leaves of a pair ("“安全生产"
# found nothing, silently): not searched, and said, as an unpaired " is. Inside a term a
# mark is text (说“要).
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "〝": "〞"}
_CLOSERS = {closing: opening for opening, closing in _PAIRS.items()}
# Quotation marks quote only as a pair that stands as a word of its own (a sign may follow
# it: “安全生产”，): a string copied from a speech keeps its marks (说“要 is searched as written).
_QUOTED = re.compile(
    r"(?:(?<=[\s:(-])|^)(?:"
    + "|".join(f'{opening}([^{opening}{closing}"]*){closing}' for opening, closing in _PAIRS.items())
    + r")(?=[\s)|，。；：！？、,.;:!?]|$)"
)
# A straight quotation mark quotes as the Chinese pairs do: as a pair that stands as a word
# of its own ("十五", -"安全 生产", ("甲" OR "乙"), title:"…"), or as an opening mark at a
# word's start that is never closed (searched to the end, and said). Any other is text:
# 今年是"十五"计划, pasted from a speech that prints straight marks, is one string, not
# three terms. Such a mark is carried through the tokens as _TEXT_QUOTE.
_STRAIGHT = re.compile(r'(?:(?<=[\s:(|"-])|^)"[^"]*(?:"(?=[\s)|"，。；：！？、,.;:!?]|$)|$)')
_TEXT_QUOTE = "\x00"
_MINUSES = "\u2010\u2011\u2012\u2013\u2212\ufe63"
# Minus signs and hyphens, one or several, and a lone em dash, at the start of a word or
# standing alone (a Chinese "——" is punctuation, and stays text).
_LEADING_DASH = re.compile(f"(?:(?<=\\s)|^)(?:[{_MINUSES}]+|\u2014(?!\u2014))")
# Signs other search engines read as a NOT before a word, which this language does not:
# said in the message when they are left out of a term (and * as a wildcard).
_FOREIGN_PREFIXES = "!~^"
# And after a word: Lucene's fuzzy 安全~ and boost 安全^ (a "!" there ends a sentence).
_FOREIGN_SUFFIXES = "~^"
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff])\s+|\s+(?=[\u3000-\u9fff])")
# Punctuation a user may type after or before a word, as in a sentence (安全生产，), and
# other engines' wildcard and fuzzy signs: not searched. Any other sign is part of the
# string (互联网+, 《决定》, 3+2).
_STRIP = "'`!?,.;:，。；：！？、*~^"
# Characters of no width that a string copied from a web page brings along: the stored
# texts have none (ingest/markup.py drops the same), so a term holding one found nothing.
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def blank(query: str) -> bool:
    """Nothing typed but space and characters of no width (a direction mark copied from a
    page): no query, as an empty box is; not a query that finds nothing."""
    return not _INVISIBLE.sub("", query).strip()


@dataclass(frozen=True)
class Term:
    text: str  # normalised (simplified, lower case); matched as a contiguous string
    field: str = "text"  # "text" (title and body) or "title"


@dataclass(frozen=True)
class All:
    children: tuple


@dataclass(frozen=True)
class Any:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class ParsedQuery:
    tree: object | None  # None: nothing searchable
    terms: tuple[str, ...]  # for highlighting: the terms a hit holds (not the excluded ones)
    message: str = ""
    # The terms looked for in the text as well as the title: title:疫情 asks nothing of
    # the text, so a concordance (concordance.py) lists no 疫情 of the text for it.
    text_terms: tuple[str, ...] = ()


@dataclass
class _State:
    tokens: list[str]
    pos: int = 0
    notes: list[str] = field(default_factory=list)
    clauses: int = 0
    unopened: int = 0  # "(" left unparsed past MAX_DEPTH

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def shown(query: str) -> str:
    """A query as headings and legends name it: one quoted phrase without its quotes
    ("会议上的讲话" → 会议上的讲话), anything else as typed."""
    text = query.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and text.count('"') == 2:
        return text[1:-1]
    return text


def parse_query(raw: str) -> ParsedQuery:
    # Full-width signs and letters as ASCII first, so that the operators typed with a
    # Chinese input method (－, （）, ＂, ：, ＯＲ) are operators: terms are folded so anyway.
    # A NUL (which params.py reads as a space already) is not taken for _TEXT_QUOTE.
    text = "".join(map(ascii_form, (raw or "").replace(_TEXT_QUOTE, " "))).strip()
    text = _QUOTED.sub(lambda m: f'"{next(g for g in m.groups() if g is not None)}"', text)
    text = _LEADING_DASH.sub(lambda m: "-" * len(m.group()), text)
    text = _text_quotes(text)
    state = _State([])
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        state.note(f"查询过长，只使用了前 {MAX_QUERY_CHARS} 个字符。")
    if text.count('"') % 2:
        state.note("引号不成对，最后一个引号之后的内容按短语检索。")
    state.tokens = _TOKEN.findall(text)
    tree = _parse_all(state, depth=0)
    while state.peek() is not None:  # stray ")" at top level
        state.take()
        if state.unopened:
            state.unopened -= 1
        else:
            state.note("括号不成对，已忽略多余的括号。")
        more = _parse_all(state, depth=0)
        tree = _join(All, [tree, more])
    tree = _drop_pure_negation(tree, state)
    if tree is None and text and not state.notes:
        state.note("查询中没有可搜索的词语。")
    return ParsedQuery(
        tree,
        tuple(dict.fromkeys(_terms(tree))),
        " ".join(state.notes),
        tuple(dict.fromkeys(_terms(tree, fields=("text",)))),
    )


def _text_quotes(text: str) -> str:
    """The text with every straight quotation mark that does not quote (_STRAIGHT) made
    _TEXT_QUOTE, so that tokens run through it; _term gives it back."""
    quoting = set()
    for match in _STRAIGHT.finditer(text):
        quoting.add(match.start())
        if match.group().endswith('"') and len(match.group()) > 1:
            quoting.add(match.end() - 1)
    return "".join(_TEXT_QUOTE if ch == '"' and i not in quoting else ch for i, ch in enumerate(text))


def _join(kind, parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _parse_all(state: _State, depth: int):
    parts = []
    while state.peek() not in (None, ")"):
        parts.append(_parse_any(state, depth))
    return _join(All, parts)


def _operator(token: str | None) -> str | None:
    """OR, AND or NOT in any case (or, Or: as typed in haste), and | for OR."""
    if token is None:
        return None
    upper = token.upper()
    return "OR" if upper in ("OR", "|") else upper if upper in ("AND", "NOT") else None


def _parse_any(state: _State, depth: int):
    parts = [_parse_unary(state, depth)]
    while _operator(state.peek()) == "OR":
        while _operator(state.peek()) == "OR":  # OR OR: one
            state.take()
        if state.peek() in (None, ")"):
            state.note("OR 两边都需要检索词。")
            break
        parts.append(_parse_unary(state, depth))
    return _join(Any, parts)


def _parse_unary(state: _State, depth: int):
    token = state.take()
    operator = _operator(token)
    if operator in ("OR", "AND"):
        if operator == "OR" or _operator(state.peek()) == "OR":
            state.note("OR 两边都需要检索词。")
        return None  # AND is implied
    if token == "-" and state.peek() != "(":
        state.note("减号须紧贴在要排除的词语前（如 -考试），单独的减号已忽略。")
        return None
    if operator == "NOT" or (token == "-" and state.peek() == "("):
        # NOT a, -(a OR b): the next term or group excluded. (A dash standing alone
        # before a word, "安全 - 生产", is left out above, with a message.)
        if state.peek() in (None, ")", "OR"):
            return None
        return _negated(_parse_unary(state, depth))
    if token == "(":
        return _group(state, depth)
    if token.startswith("-"):
        # -title:a, -"a b": what follows, excluded; --a as -a (a minus typed twice).
        state.tokens[state.pos - 1] = token.lstrip("-")
        state.pos -= 1
        return _negated(_parse_unary(state, depth))
    if token.lower().startswith("title:"):
        rest = token[6:]
        if not rest and state.peek() == "(":
            state.take()
            return _in_title(_group(state, depth))
        if not rest and state.peek() is not None and state.peek() not in (")", "-") and not _operator(state.peek()):
            rest = state.take()  # title: 考试, title: "a b" (a space typed after the colon)
        if rest.startswith("-") and rest.strip("-"):
            return _negated(_atom(state, rest.lstrip("-"), "title"))  # title:-考试 as -title:考试
        return _atom(state, rest, "title")
    return _atom(state, token, "text")


def _group(state: _State, depth: int):
    """What stands between "(" (just taken) and its ")"."""
    if depth >= MAX_DEPTH:
        state.note("括号嵌套过深，已按普通词语检索。")
        state.unopened += 1  # its ")" will stand at the top level, and is no stray one
        return None
    inner = _parse_all(state, depth + 1)
    if state.peek() == ")":
        state.take()
    else:
        state.note("括号不成对，已补全。")
    return inner


def _negated(node):
    if node is None:
        return None
    return node.child if isinstance(node, Not) else Not(node)


def _in_title(node):
    """title:(a OR b): every term of the group looked for in titles."""
    if node is None:
        return None
    if isinstance(node, Term):
        return Term(node.text, "title")
    if isinstance(node, Not):
        return Not(_in_title(node.child))
    return type(node)(tuple(_in_title(child) for child in node.children))


def _atom(state: _State, token: str, field_name: str):
    if state.clauses >= MAX_CLAUSES:
        state.note(f"检索词过多，只使用了前 {MAX_CLAUSES} 个。")
        return None
    if token.startswith('"'):
        node = _quoted(token.strip('"'), field_name)
    else:
        node = _unquoted(state, token, field_name)
    if node is not None:
        state.clauses += 1
    return node


def _quoted(text: str, field_name: str):
    # Spaces next to Han characters are not part of Chinese text ("疫情 防控"
    # means 疫情防控); between Latin words they are kept.
    return _term(_CJK_SPACE.sub("", " ".join(text.split())), field_name)


def _unquoted(state: _State, token: str, field_name: str):
    # Punctuation typed around a term (安全生产，) is not searched; inside it, it is.
    leading = token[: len(token) - len(token.lstrip(_STRIP))]
    if "*" in token:
        state.note("不支持通配符 *，已忽略：检索词本身即匹配含有它的任何文字。")
        token = token.replace("*", "")
    trailing = token[len(token.rstrip(_STRIP)) :]
    for sign in _FOREIGN_PREFIXES:
        if sign in leading:
            state.note(f"“{sign}”不是检索运算符，已忽略（排除词语请用 -词语）。")
    for sign in _FOREIGN_SUFFIXES:
        # A sign alone (^) is both leading and trailing: said once, as a prefix.
        if sign in trailing and not (sign in leading and sign in _FOREIGN_PREFIXES):
            state.note(f"“{sign}”不是检索运算符，已忽略：检索词按原样匹配。")
    token = token.strip(_STRIP + '"-')
    if len(token) >= 2 and token[0] in _PAIRS and token[-1] == _PAIRS[token[0]]:
        token = token[1:-1]  # a pair around the term, a sign typed after it (“安全生产”，)
    else:
        unpaired = False
        if token[:1] in _PAIRS and _PAIRS[token[0]] not in token:
            token, unpaired = token[1:], True
        # ’ after a Latin letter is an apostrophe (workers’), no closing mark.
        apostrophe = token[-1:] == "’" and token[-2:-1].isascii() and token[-2:-1].isalpha()
        if token[-1:] in _CLOSERS and _CLOSERS[token[-1]] not in token and not apostrophe:
            token, unpaired = token[:-1], True
        if token.endswith(_TEXT_QUOTE) and token.count(_TEXT_QUOTE) % 2:
            token, unpaired = token[:-1], True  # 安全" (an opening one quotes: _STRAIGHT)
        if unpaired:
            state.note("引号不成对，已按不带引号的词语检索。")
    return _term(token.strip(_STRIP), field_name)


def _term(text: str, field_name: str):
    """The term, folded character by character as the text is (analysis.normalize); and
    where OpenCC folds the words of a traditional term otherwise (瞭解 → 了解, 藉助 → 借助,
    反覆 → 反复: by phrase, as the canonical text was written), either form."""
    # Signs alone are a term too (〓, the mark of a character lost to damage; %, 《》):
    # the sentence punctuation typed around a term is gone already (_unquoted).
    text = _INVISIBLE.sub("", text).replace(_TEXT_QUOTE, '"')
    folded = normalize(text).strip()
    if not folded:
        return None
    by_phrase = normalize(to_simplified(text)).strip() if len(folded) > 1 else folded
    if by_phrase != folded and by_phrase:
        return Any((Term(folded, field_name), Term(by_phrase, field_name)))
    return Term(folded, field_name)


def _drop_pure_negation(tree, state: _State):
    """A query of exclusions alone (-考试, -工作 OR -发展) would list the whole archive:
    refuse it. So would an OR with exclusions alone on one side (工作 OR -发展): all that
    lack one word, which was answered with most of the archive."""
    if tree is None or _bounded(tree):
        return tree
    if isinstance(tree, Any) and any(_bounded(child) for child in tree.children):
        state.note("“或”（OR）的每一边都要有要查找的词语，不能只有排除词。")
    else:
        state.note("只有排除词（-词语）无法检索，请加上要查找的词语。")
    return None


def _bounded(node) -> bool:
    """Whether the speeches `node` matches must hold some term: a term does; an
    exclusion does not; AND when one of its parts does; OR when every side does."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, All):
        return any(_bounded(child) for child in node.children)
    return all(_bounded(child) for child in node.children)


def _terms(node, fields: tuple[str, ...] = ("text", "title")) -> list[str]:
    """Strings to mark in snippets and on the speech page, each whole; with `fields`,
    only the terms looked for in those. Excluded terms are not marked (they cannot
    occur in a hit)."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [node.text] if node.field in fields else []
    return [term for child in node.children for term in _terms(child, fields)]
