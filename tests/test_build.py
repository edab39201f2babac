"""kg.build on the fixtures (hp.obo slice + 32-row HPOA): outputs, determinism, atomic replacement."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, VOID

from kg.build import BUILD_SUMMARY, BuildOptions, build
from kg.errors import InputError, KgError
from kg.export import Format
from kg.report import Report
from tests.conftest import FIXTURES
from tests.test_rdf_hpoa import assert_isomorphic

SLICE = FIXTURES / "hp-slice.obo"
MINI = FIXTURES / "mini.hpoa"
GRAPH_FILES = ("hpo.ttl", "hpoa.ttl")
PAV = rdflib.Namespace("http://purl.org/pav/")
RDKGV = rdflib.Namespace("https://w3id.org/rdkg/vocab/")


def options(out: Path, **changes) -> BuildOptions:
    values = {"out": out, "hp_obo": SLICE, "hpoa": MINI, "store": False, "default_documents": False}
    values.update(changes)
    return BuildOptions(**values)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture()
def reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1737000000")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    report = Report()
    result = build(options(tmp_path_factory.mktemp("small") / "build"), report=report)
    return result, report


def test_small_build_outputs_and_counts(small):
    result, report = small
    assert sorted(p.name for p in result.out.iterdir()) == ["build.json", "dataset.ttl", "hpo.ttl", "hpoa.ttl"]
    assert (result.diseases, result.annotations, result.negated, result.inheritance) == (6, 31, 3, 4)
    assert report.summary_rows() == [("error", "hpoa-row", 1), ("warning", "hpo-id-alt-id", 1),
                                     ("warning", "hpo-id-obsolete-replaced", 1)]
    for written in result.files:
        data = written.path.read_bytes()
        assert written.sha256 == hashlib.sha256(data).hexdigest() and written.bytes == len(data)
        assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == written.triples
    assert result.counts.triples == sum(f.triples for f in result.files if f.path.name != "dataset.ttl")
    assert not list(result.out.parent.glob(".build.*"))  # no staging or old directory left behind


def test_build_json_summary(small):
    result, _ = small
    summary = json.loads((result.out / BUILD_SUMMARY).read_text(encoding="utf-8"))
    assert [i["version"] for i in summary["inputs"]] == ["2025-01-16", "2025-01-16"]
    assert summary["inputs"][0]["sha256"] == hashlib.sha256(SLICE.read_bytes()).hexdigest()
    assert summary["inputs"][1]["sha256"] == hashlib.sha256(MINI.read_bytes()).hexdigest()
    assert {f["name"]: f["triples"] for f in summary["files"]} == {f.path.name: f.triples for f in result.files}
    assert summary["counts"]["diseases"] == 6 and summary["counts"]["negated"] == 3
    assert {"severity": "error", "category": "hpoa-row", "count": 1} in summary["problems"]


def test_dataset_description(small):
    result, _ = small
    graph = rdflib.Graph().parse(result.out / "dataset.ttl", format="turtle")
    dataset = rdflib.URIRef("https://w3id.org/rdkg/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert int(graph.value(dataset, VOID.triples)) == result.counts.triples
    assert int(graph.value(dataset, VOID.entities)) == 6
    assert graph.value(dataset, PAV.version) is not None and graph.value(dataset, PAV.createdOn) is not None
    sources = {str(graph.value(node, rdflib.URIRef("http://purl.org/dc/terms/identifier"))):
               (str(graph.value(node, PAV.version)), str(graph.value(node, RDKGV.sha256)))
               for node in graph.objects(dataset, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))}
    assert sources == {"hp.obo": ("2025-01-16", hashlib.sha256(SLICE.read_bytes()).hexdigest()),
                       "phenotype.hpoa": ("2025-01-16", hashlib.sha256(MINI.read_bytes()).hexdigest())}
    subsets = {int(graph.value(s, VOID.triples)) for s in graph.objects(dataset, VOID.subset)}
    assert subsets == {f.triples for f in result.files if f.path.name != "dataset.ttl"}
    partitions = {str(graph.value(p, VOID["class"])): int(graph.value(p, VOID.entities))
                  for p in graph.objects(dataset, VOID.classPartition)}
    assert partitions["https://w3id.org/biolink/vocab/Disease"] == 6
    assert partitions["https://w3id.org/biolink/vocab/Association"] == 31


def test_two_builds_are_byte_identical(tmp_path, reproducible):
    first = build(options(tmp_path / "one"))
    second = build(options(tmp_path / "two"))
    a, b = snapshot(first.out), snapshot(second.out)
    for name in GRAPH_FILES + ("dataset.ttl",):
        assert a[name] == b[name], name
    # a rebuild into the same directory replaces it with the same bytes
    build(options(tmp_path / "one"))
    assert {k: v for k, v in snapshot(tmp_path / "one").items() if k != BUILD_SUMMARY} == \
        {k: v for k, v in a.items() if k != BUILD_SUMMARY}


def test_build_in_another_process_with_another_hash_seed_is_identical(tmp_path, reproducible):
    here = build(options(tmp_path / "here"))
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "hp.obo").write_bytes(SLICE.read_bytes())
    (inputs / "phenotype.hpoa").write_bytes(MINI.read_bytes())
    env = {**os.environ, "PYTHONHASHSEED": "12345", "SOURCE_DATE_EPOCH": "1737000000"}
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--inputs", str(inputs), "--out",
                           str(tmp_path / "there"), "--no-store", "--no-default-documents"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for name in GRAPH_FILES:
        assert (tmp_path / "there" / name).read_bytes() == (here.out / name).read_bytes(), name


def test_ntriples_compressed_and_turtle_say_the_same(tmp_path, small):
    result = build(options(tmp_path / "nt", formats=(Format.TURTLE, Format.NTRIPLES), compress=True))
    names = sorted(p.name for p in result.out.iterdir())
    assert names == ["build.json", "dataset.nt.gz", "dataset.ttl.gz", "hpo.nt.gz", "hpo.ttl.gz",
                     "hpoa.nt.gz", "hpoa.ttl.gz"]
    for stem in ("hpo", "hpoa", "dataset"):
        nt = rdflib.Graph().parse(data=gzip.decompress((result.out / f"{stem}.nt.gz").read_bytes()).decode(),
                                  format="nt")
        ttl = rdflib.Graph().parse(data=gzip.decompress((result.out / f"{stem}.ttl.gz").read_bytes()).decode(),
                                   format="turtle")
        assert_isomorphic(nt, ttl)  # dataset: one pav:createdOn for both formats, even across a second boundary
        if stem == "dataset":
            continue
        assert gzip.decompress((result.out / f"{stem}.ttl.gz").read_bytes()) == \
            (small[0].out / f"{stem}.ttl").read_bytes()


def test_base_iri_option(tmp_path):
    result = build(options(tmp_path / "b", base_iri="http://example.net/kg/"))
    text = (result.out / "hpoa.ttl").read_text(encoding="utf-8")
    assert "@prefix rdkg: <http://example.net/kg/> ." in text and "rdkg:dataset" not in text
    assert "w3id.org/rdkg/association" not in text
    graph = rdflib.Graph().parse(result.out / "dataset.ttl", format="turtle")
    assert (rdflib.URIRef("http://example.net/kg/dataset"), RDF.type, VOID.Dataset) in graph
    with pytest.raises(KgError):
        build(options(tmp_path / "c", base_iri="not an iri"))
    assert not (tmp_path / "c").exists()


# -- refusing and failing -------------------------------------------------------------------------------

def test_refuses_to_replace_a_directory_that_is_not_a_build(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("do not delete", encoding="utf-8")
    with pytest.raises(InputError, match="refusing to replace"):
        build(options(out))
    assert snapshot(out) == {"thesis.tex": b"do not delete"}
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="refusing"):
        build(options(a_file))
    assert a_file.read_text(encoding="utf-8") == "x"


def test_an_empty_existing_directory_is_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    assert (build(options(tmp_path / "empty")).out / "hpoa.ttl").is_file()


def _broken_hpoa(tmp_path: Path) -> Path:
    broken = tmp_path / "broken.hpoa"
    broken.write_text(MINI.read_text(encoding="utf-8").replace("database_id\t", "db_id\t"), encoding="utf-8")
    return broken


def test_a_failing_build_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "build"
    build(options(out))
    before = snapshot(out)
    with pytest.raises(InputError, match="wrong column header"):
        build(options(out, hpoa=_broken_hpoa(tmp_path)))
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.hpoa", "build"]


def test_an_interrupted_build_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "build"
    build(options(out))
    before = snapshot(out)

    def interrupt(ontology, report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(options(out), extra_graphs=[("similarity", interrupt)])
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_failing_first_build_leaves_nothing(tmp_path):
    with pytest.raises(KgError):
        build(options(tmp_path / "build", hp_obo=tmp_path / "missing.obo"))
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_of_a_dead_build_is_removed(tmp_path):
    stale = tmp_path / f".build.staging-{2**22 + 7}"  # above any Linux pid_max: that process is gone
    stale.mkdir()
    (stale / "hpoa.ttl").write_text("half", encoding="utf-8")
    build(options(tmp_path / "build"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
