"""``kg extract``: files and URLs to JSON records, clear errors, directory loading, and the committed
seed records (data/documents) are what the readers produce today."""

from __future__ import annotations

import json
import shutil

import pytest

from kg import paths
from kg.cli import main
from kg.report import Report
from kg.sources.documents import dumps, load_directory, loads, read_document
from tests.conftest import FIXTURES

DOCS = FIXTURES / "documents"
SEEDS = ("gard-idiopathic-pulmonary-hemosiderosis.txt", "rareguru-neonatal-hemochromatosis.txt",
         "case-report-adult-onset-iph.txt")


@pytest.fixture(scope="module")
def extraction(doc_extraction):
    return doc_extraction


def test_extract_writes_one_json_per_document(tmp_path, capsys):
    code = main(["extract", str(DOCS / "gard-alkaptonuria.txt"), str(DOCS / "qa-cystinosis.txt"),
                 "--retrieved", "2024-05-01", "--out", str(tmp_path)])
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["gard-alkaptonuria.json", "qa-cystinosis.json"]
    record = loads((tmp_path / "gard-alkaptonuria.json").read_text(encoding="utf-8"), path="x")
    assert record.document.retrieved == "2024-05-01" and record.resolution.node == "ORPHA:56"
    assert "-> ORPHA:56" in capsys.readouterr().err


def test_extract_to_stdout_with_forced_kind(capsys):
    assert main(["extract", str(DOCS / "case-fmf.txt"), "--kind", "case-report"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["record"]["document"]["kind"] == "case-report"


def test_bad_documents_fail_one_by_one_naming_the_file(tmp_path, capsys):
    bad = ["unknown-kind.txt", "empty.txt", "binary.txt", "broken.html"]
    code = main(["extract", *(str(DOCS / b) for b in bad), str(DOCS / "qa-wilson.html"), "--out", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    for name, reason in zip(bad, ["unknown kind", "empty document", "binary file", "broken HTML"]):
        line = next(x for x in err.splitlines() if name in x)
        assert reason in line
    assert [p.name for p in tmp_path.iterdir()] == ["qa-wilson.json"]


def test_extract_fetches_urls(httpserver, tmp_path):
    httpserver.expect_request("/diseases/marfan").respond_with_data(
        (DOCS / "gard-marfan.html").read_bytes(), content_type="text/html; charset=utf-8")
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    code = main(["extract", httpserver.url_for("/diseases/marfan"), httpserver.url_for("/missing"),
                 "--out", str(tmp_path)])
    assert code == 1
    record = loads((tmp_path / "marfan.json").read_text(encoding="utf-8"), path="x")
    assert record.document.source.startswith("http://") and record.document.media_type == "text/html"
    assert record.disease.name == "Marfan syndrome"


def test_load_directory_skips_broken_documents_and_keeps_the_rest(tmp_path, extraction):
    for name in ("gard-marfan.html", "broken.html", "empty.txt", "qa-wilson.html"):
        shutil.copy(DOCS / name, tmp_path / name)
    (tmp_path / "record.json").write_text("{\"format\": \"something else\"}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    report = Report()
    records = load_directory(tmp_path, report=report, extraction=extraction, retrieved="2024-01-01")
    assert sorted(r.disease.name for r in records) == ["Marfan syndrome", "Wilson disease"]
    assert report.count("error", "documents/unreadable") == 3
    assert report.count("warning", "documents/skipped-file") == 1
    assert all(p.path for p in report.problems)


def test_committed_records_load_without_the_seeds():
    report = Report()
    records = load_directory(paths.DOCUMENT_RECORDS, report=report)
    assert {r.document.kind.value for r in records} == {"gard", "qa", "case-report"}
    assert report.count("error") == 0


def test_committed_seed_records_are_current(seeds, extraction):
    """Re-extract the seeds; the committed JSON must be identical (same retrieval date and source)."""
    for name in SEEDS:
        committed_path = paths.DOCUMENT_RECORDS / name.replace(".txt", ".json")
        committed = loads(committed_path.read_text(encoding="utf-8"), path=str(committed_path))
        fresh = read_document((seeds / name).read_bytes(), source=committed.document.source, extraction=extraction,
                              retrieved=committed.document.retrieved)
        assert fresh.document.sha256 == committed.document.sha256, f"seed {name} changed"
        assert dumps(fresh) == committed_path.read_text(encoding="utf-8"), \
            f"{committed_path} is stale: run `kg extract ../shared/seeds/*.txt --out data/documents " \
            f"--retrieved {committed.document.retrieved}`"
