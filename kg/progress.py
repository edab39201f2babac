"""Progress on long steps, on stderr, only when it is a terminal (or KG_PROGRESS=1).

A tiny dependency-free stand-in for tqdm: the build's steps are few and long, so a line per
step with its time is what a user needs; CI logs stay clean.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def enabled() -> bool:
    return os.environ.get("KG_PROGRESS") == "1" or (sys.stderr.isatty() and os.environ.get("KG_PROGRESS") != "0")


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print ``name ...`` then ``done in N s`` around a block."""
    show = enabled()
    start = time.perf_counter()
    if show:
        print(f"  {name} ...", end="", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        if show:
            print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


class Counter:
    """Counts items and redraws ``label: n`` at most a few times a second."""

    def __init__(self, label: str, total: int | None = None) -> None:
        self.label, self.total, self.n = label, total, 0
        self.show = enabled()
        self._last = 0.0

    def update(self, k: int = 1) -> None:
        self.n += k
        if self.show:
            now = time.perf_counter()
            if now - self._last > 0.25:
                self._last = now
                of = f"/{self.total}" if self.total else ""
                print(f"\r  {self.label}: {self.n}{of}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.show:
            print(f"\r  {self.label}: {self.n} done", file=sys.stderr, flush=True)
