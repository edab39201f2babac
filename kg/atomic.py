"""Putting a finished directory in place of an old one, so readers never see a half-made one.

Used by the build (output folder), the embedded query store and ``kg serve``'s store: each
is made in a temporary sibling folder and swapped in here. Two renames cannot be one atomic
step on POSIX, so the previous folder is parked as ``.NAME.old-PID`` in between; the build's
stale-folder cleanup puts it back if a process dies exactly there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace_directory(finished: Path, target: Path) -> None:
    """Move ``finished`` to ``target``, replacing (and then deleting) what was there."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(finished, target)
    shutil.rmtree(old, ignore_errors=True)
