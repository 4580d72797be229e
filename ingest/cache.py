"""What the desk has worked out, kept while the stores it was read from stay as they were.

Entries are keyed by the file state of each store (the database file and its write-ahead
log: size and modification time). A commit changes the log, a checkpoint the database
file, and so the key: a cached answer is never older than the store it describes. Pages a
user shares or comes back to, and the common searches of a busy desk, then cost a
dictionary lookup.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any


class StoreCache:
    """The latest answers, least recently used dropped first."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, paths: Sequence[str | None], key: Hashable) -> Any | None:
        full_key = _key(paths, key)
        found = self._entries.get(full_key) if full_key else None
        if found is not None:
            self._entries.move_to_end(full_key)
        return found

    def put(self, paths: Sequence[str | None], key: Hashable, value: Any) -> None:
        full_key = _key(paths, key)
        if full_key:
            self._entries[full_key] = value
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _key(paths: Sequence[str | None], key: Hashable) -> tuple | None:
    if not paths or any(path is None for path in paths):
        return None  # an in-memory database has no file state to key on
    return (*(file_state(path) for path in paths), key)


def file_state(path: str) -> tuple:
    state: list = [path]
    for name in (path, path + "-wal"):
        try:
            found = os.stat(name)
        except FileNotFoundError:
            state += [0, 0]
        else:
            state += [found.st_mtime_ns, found.st_size]
    return tuple(state)
