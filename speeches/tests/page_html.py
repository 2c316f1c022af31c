"""Read a rendered page as elements: the client tests of forms ask which input names which
error (aria-describedby), which is marked invalid, and what text an id holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return "".join(self.text).strip()


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value if value is not None else "" for name, value in attrs})
        self.found.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element.text.append(data)


def elements(html: str, tag: str | None = None, **attrs: str) -> list[Element]:
    """The elements with this tag (any, if None) whose attributes have these values (class_
    for class; a value of True for present with any value)."""
    parser = _Elements()
    parser.feed(html)
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    return [
        element
        for element in parser.found
        if (tag is None or element.tag == tag)
        and all(
            (name in element.attrs) if value is True else element.attrs.get(name) == value
            for name, value in wanted.items()
        )
    ]


def one(html: str, tag: str | None = None, **attrs: str) -> Element:
    found = elements(html, tag, **attrs)
    assert len(found) == 1, (tag, attrs, len(found))
    return found[0]


def described_by(html: str, element: Element) -> str:
    """The text of the elements the element's aria-describedby names, joined."""
    return " ".join(one(html, id=ref).content for ref in element.attrs.get("aria-describedby", "").split())
