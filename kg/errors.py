"""The project's own error types.

Every reader and command raises only these (or lets them through), so callers and the
property-based tests can tell an expected refusal of bad input from a bug.
"""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error the project raises on purpose."""


class InputError(KgError):
    """An input file, document or argument is unusable; the message names where and why."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 identifier: str | None = None) -> None:
        self.path = path
        self.line = line
        self.identifier = identifier
        self.reason = message
        where = ""
        if path is not None:
            where = str(path) + (f":{line}" if line is not None else "")
        if identifier:
            where = f"{where} [{identifier}]" if where else f"[{identifier}]"
        super().__init__(f"{where}: {message}" if where else message)


class CurieError(KgError):
    """A compact identifier is malformed or uses an undeclared prefix."""


class OntologyError(InputError):
    """The ontology file is unusable (broken stanza, cycle, missing header)."""


class DownloadError(KgError):
    """A download failed; the previous good file was kept."""


class QueryError(KgError):
    """A canned query is unknown, a parameter is missing or an identifier is invalid."""


class StoreError(KgError):
    """A triple store refused or failed a request."""
