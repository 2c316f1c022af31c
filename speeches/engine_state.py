"""Whether the search engine in use holds every change of the archive (models.EngineState).

Each engine (settings.SEARCH_ENGINE) keeps its own index; switching needs `manage.py
reindex`. Without it, the engine switched to has missed every change made meanwhile,
and searches say the index is being updated (speeches.search.service) until `reindex`
or `check_index --fix` finds it whole again.
"""

from __future__ import annotations

from django.conf import settings

from .models import EngineState


def took_changes() -> None:
    """This engine took a change of the archive, which every other engine missed
    (models.EngineState). Written only when another engine was whole, or this one has no
    state yet: a row every upload updated would make concurrent uploads on PostgreSQL
    wait for one another's commit."""
    states = EngineState.objects.using("default")
    others = states.exclude(name=settings.SEARCH_ENGINE)
    if others.filter(whole=True).exists():
        others.update(whole=False)
    if not states.filter(name=settings.SEARCH_ENGINE).exists():
        # A first engine holds all there is; one started beside others holds none of it.
        states.get_or_create(name=settings.SEARCH_ENGINE, defaults={"whole": not others.exists()})


def holds_every_change() -> None:
    """This engine was rebuilt, or found to agree with the database: it is whole again."""
    EngineState.objects.using("default").update_or_create(name=settings.SEARCH_ENGINE, defaults={"whole": True})


def switch_problem() -> str:
    """Why this engine may have missed changes ("" when it has not): another engine
    took changes of the archive since this one was last whole (SEARCH_ENGINE switched
    without `manage.py reindex`)."""
    states = dict(EngineState.objects.values_list("name", "whole"))
    if states.get(settings.SEARCH_ENGINE, not states):
        return ""
    return (
        f"the {settings.SEARCH_ENGINE} engine missed changes of the archive that went to another engine "
        "(SEARCH_ENGINE was switched): run `manage.py reindex`"
    )
