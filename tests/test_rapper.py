"""The build's Turtle and N-Triples parse with an independent parser, Debian's ``rapper`` (Raptor 2).

Raptor shares no code with pyoxigraph or rdflib, so a file it reads with zero warnings and
the triple count build.json declares is standard RDF, not one engine's dialect. The stores
of test_stores_equivalence are the other independent readers (Oxigraph, Virtuoso).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.export import Format
from tests.conftest import build_test_graph

RAPPER = shutil.which("rapper")
pytestmark = pytest.mark.skipif(RAPPER is None, reason="Debian's rapper is not installed "
                                                       "(apt-get install raptor2-utils; .ci/run installs it)")
SYNTAX = {".ttl": "turtle", ".nt": "ntriples"}


def rapper_count(path: Path) -> tuple[int, list[str]]:
    """Triples rapper reads from ``path`` and every warning or error line it prints."""
    done = subprocess.run([RAPPER, "-i", SYNTAX[path.suffix], "-c", str(path)], capture_output=True, text=True,
                          timeout=600, check=False)
    messages = [line for line in done.stderr.splitlines() if "warning" in line.lower() or "error" in line.lower()]
    found = [line for line in done.stderr.splitlines() if "Parsing returned" in line]
    assert done.returncode == 0 and found, f"rapper failed on {path} ({done.returncode}):\n{done.stderr[-2000:]}"
    return int(found[-1].split()[-2]), messages


def declared(build_dir: Path) -> dict[str, int]:
    return {f["name"]: f["triples"] for f in json.loads((build_dir / "build.json").read_text())["files"]}


@pytest.fixture(scope="module")
def both_formats(tmp_path_factory) -> Path:
    """A build of the test inputs (with the committed document records) in Turtle and N-Triples."""
    return build_test_graph(tmp_path_factory.mktemp("rapper") / "build", formats=(Format.TURTLE, Format.NTRIPLES))


def test_every_output_file_parses_without_warnings_and_with_the_declared_count(both_formats):
    counts = declared(both_formats)
    names = sorted(counts)
    assert {Path(n).suffix for n in names} == {".ttl", ".nt"} and len(names) >= 6
    for name in names:
        triples, messages = rapper_count(both_formats / name)
        assert messages == [], f"{name}: {messages}"
        assert triples == counts[name], name


def test_turtle_and_ntriples_say_the_same(both_formats, tmp_path):
    """What rapper reads from each .ttl is the build's .nt (as triples: rapper escapes non-ASCII)."""
    import pyoxigraph as ox

    def triples(data: bytes) -> list[str]:
        return sorted(map(str, ox.parse(data, format=ox.RdfFormat.N_TRIPLES)))

    for ttl in sorted(both_formats.glob("*.ttl")):
        done = subprocess.run([RAPPER, "-q", "-i", "turtle", "-o", "ntriples", str(ttl)], capture_output=True,
                              timeout=300, check=True)
        ours = (both_formats / (ttl.stem + ".nt")).read_bytes()
        assert triples(done.stdout) == triples(ours), ttl.name


@pytest.mark.slow
def test_full_default_build_parses_without_warnings(full_build):
    counts = declared(full_build.out)
    for name, expected in counts.items():
        triples, messages = rapper_count(full_build.out / name)
        assert messages == [] and triples == expected, name
