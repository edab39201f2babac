"""Shared fixtures: the vendored HPO (loaded once) and one full default build per session.

Tests that need the full build use ``full_build`` (built once, a few tens of seconds);
most tests use tiny hand-written inputs from ``tests/fixtures``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Session-wide real triple-store servers (Oxigraph, Virtuoso), started on first use.
from tests.servers import oxigraph_server, virtuoso_server  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
GSC = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "gsc-plus"


@pytest.fixture(scope="session")
def hpo():
    """The vendored HPO release (cached parse)."""
    from kg.ontology import Ontology

    return Ontology.load()


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS} (they live in ../shared/seeds beside the repo)")
    return SEEDS


@pytest.fixture(scope="session")
def full_build(tmp_path_factory):
    """One full default build (all HPO annotations, default documents) with its store, per test session."""
    from kg.build import BuildOptions, build
    from kg.report import Report

    out = tmp_path_factory.mktemp("full") / "build"
    report = Report()
    result = build(BuildOptions(out=out, store=True), report=report)  # the query tests read its store
    result.report = report  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="session")
def doc_extraction():
    """Recogniser, HPO and HPOA disease names for the document readers (loaded once per session)."""
    from kg.sources.documents import Extraction

    return Extraction.default()
