"""Key figures that apps above analytics add to the dashboard, without analytics importing them.

An app registers a Tile from its AppConfig.ready (lessons: the notes published); the dashboard shows every
registered tile after its own, in registration order. Each count is one query at most.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tile:
    key: str  # data-kpi attribute of the figure, stable for tests and scripts
    label: str  # a lazy translation
    count: Callable[[], int]
    url_name: str | None = None


_tiles: dict[str, Tile] = {}


def register(tile: Tile) -> None:
    _tiles[tile.key] = tile


def figures() -> list[dict]:
    """The registered tiles with their counts and links, as the dashboard template shows them."""
    return [
        {
            "key": tile.key,
            "label": tile.label,
            "value": tile.count(),
            "url": reverse(tile.url_name) if tile.url_name else "",
        }
        for tile in _tiles.values()
    ]
