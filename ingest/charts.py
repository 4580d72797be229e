"""Vega-Lite specifications for the desk's charts, drawn in the page by the Vega bundle datasette-dashboards ships."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .desk import Cooccurrence, Counted

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier: nothing is fetched from it


def timeline(months: Sequence[Counted], title: str) -> dict:
    """Paragraphs per month as bars."""
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 180,
        "data": {"values": [{"month": m.label, "paragraphs": m.count} for m in months]},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
            "y": {"field": "paragraphs", "type": "quantitative", "title": "paragraphs"},
        },
    }


def heatmap(found: Cooccurrence, search_url: Callable[[str, str], str]) -> dict:
    """Paragraphs naming each pair of the top actors, as a matrix; a cell links to those paragraphs (`search_url`)."""
    names = {actor.id: actor.label for actor in found.actors}
    order = [actor.label for actor in found.actors]
    cells = [{"actor": names[a], "other": names[b], "paragraphs": n, "url": search_url(a, b)} for (a, b), n in found.pairs.items()]
    return {
        "$schema": SCHEMA,
        "title": "Paragraphs naming both",
        "data": {"values": cells},
        "mark": {"type": "rect", "tooltip": True, "cursor": "pointer"},
        "encoding": {
            "x": {"field": "other", "type": "nominal", "sort": order, "title": None, "axis": {"labelAngle": -50}},
            "y": {"field": "actor", "type": "nominal", "sort": order, "title": None},
            "color": {"field": "paragraphs", "type": "quantitative", "scale": {"type": "sqrt", "scheme": "blues"}},
            "href": {"field": "url"},
        },
        "config": {"view": {"step": 18}},
    }
