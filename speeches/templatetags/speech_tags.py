from django import template

from speeches.search import highlight

register = template.Library()


@register.filter
def highlight_terms(text: str, terms: tuple[str, ...]):
    """A paragraph with the search terms marked; escaped before marking."""
    return highlight(text, terms)
