"""An in-memory LRU of vector tiles, keyed by grid version, caller's area and tile.

The active version's number is part of every key, so activating a version makes every
older entry unreachable at once (they age out of the LRU); nothing has to be flushed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

TileKey = tuple[int, tuple[str, ...] | None, int, int, int, tuple[str, ...]]


def tile_key(
    version: int, area: tuple[str, ...] | None, z: int, x: int, y: int, layers: tuple[str, ...]
) -> TileKey:
    """The one key of a tile: the route reads with it and the warmer (api/tilewarm.py) fills
    it."""
    return (version, area, z, x, y, layers)


@dataclass(frozen=True)
class CachedTile:
    """A tile's bytes and its entity tag."""

    body: bytes
    etag: str


class TileCache:
    """A thread-safe LRU of at most `size` tiles (sync routes run in a thread pool)."""

    def __init__(self, size: int = 4096) -> None:
        """An empty cache holding up to `size` tiles."""
        self.size = size
        self._tiles: OrderedDict[TileKey, CachedTile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: TileKey) -> CachedTile | None:
        """The cached tile, marked as recently used; None on a miss."""
        with self._lock:
            found = self._tiles.get(key)
            if found is not None:
                self._tiles.move_to_end(key)
            return found

    def put(self, key: TileKey, body: bytes) -> CachedTile:
        """Store a tile (evicting the least recently used) and return it with its ETag."""
        tag = hashlib.blake2b(body, digest_size=12).hexdigest()
        tile = CachedTile(body, f'"v{key[0]}-{tag}"')
        with self._lock:
            self._tiles[key] = tile
            self._tiles.move_to_end(key)
            while len(self._tiles) > self.size:
                self._tiles.popitem(last=False)
        return tile

    def __len__(self) -> int:
        """How many tiles are held."""
        return len(self._tiles)
