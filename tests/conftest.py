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


def build_test_graph(out: Path, **options) -> Path:
    """``kg build`` of the test inputs (the hp.obo slice, the 32-row HPOA and, unless
    ``default_documents=False``, the committed document records) into ``out``; no store unless
    ``store=True``. Other ``BuildOptions`` fields pass through."""
    from kg.build import BuildOptions, build
    from kg.report import Report

    build(BuildOptions(out=out, hp_obo=FIXTURES / "hp-slice.obo", hpoa=FIXTURES / "mini.hpoa",
                       **{"store": False, **options}), report=Report())
    return out


@pytest.fixture
def slice_inputs(tmp_path) -> Path:
    """The test inputs laid out as ``kg build --inputs DIR`` reads them."""
    import shutil

    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(FIXTURES / "hp-slice.obo", folder / "hp.obo")
    shutil.copy(FIXTURES / "mini.hpoa", folder / "phenotype.hpoa")
    return folder


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
