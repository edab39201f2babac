"""Problems met while reading inputs, collected rather than raised.

Bad input never loses other data: a reader reports one broken row or document here and
goes on. The build prints the counts as its summary table, so nothing is skipped silently.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

log = logging.getLogger("kg")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that was skipped (``severity='error'``) or changed (``'warning'``)."""

    severity: str
    category: str
    message: str
    path: str | None = None
    line: int | None = None
    identifier: str | None = None

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.identifier:
            where += f" [{self.identifier}]"
        return f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"


@dataclass
class Report:
    """Collects problems; keeps the first ``keep`` of each category in full, counts all."""

    keep: int = 20
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    echo: TextIO | None = None

    def _add(self, problem: Problem) -> None:
        key = (problem.severity, problem.category)
        self.counts[key] += 1
        if self.counts[key] <= self.keep:
            self.problems.append(problem)
            if self.echo is not None:
                print(str(problem), file=self.echo)

    def error(self, category: str, message: str, *, path: str | None = None, line: int | None = None,
              identifier: str | None = None) -> None:
        """Record something skipped because it was unusable."""
        self._add(Problem("error", category, message, path, line, identifier))

    def warning(self, category: str, message: str, *, path: str | None = None, line: int | None = None,
                identifier: str | None = None) -> None:
        """Record something kept but changed (e.g. an obsolete HPO ID mapped to its replacement)."""
        self._add(Problem("warning", category, message, path, line, identifier))

    def count(self, severity: str | None = None, category: str | None = None) -> int:
        return sum(n for (s, c), n in self.counts.items()
                   if (severity is None or s == severity) and (category is None or c == category))

    def summary_rows(self) -> list[tuple[str, str, int]]:
        return sorted((s, c, n) for (s, c), n in self.counts.items())


def stderr_report() -> Report:
    return Report(echo=sys.stderr)
