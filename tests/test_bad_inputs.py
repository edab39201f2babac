"""The bad-input suite: every case states its exact outcome.

Three kinds of outcome, as the issue asks:
* skip-and-report: one record is unusable -> a Problem naming file, line and identifier; the rest is kept;
* refuse: the whole input is unusable -> an InputError (OntologyError) naming file and line or identifier,
  and on the command line exit status 2 with one line, no traceback;
* accept: an unusual but valid input (CRLF, BOM, UTF-16, cp1252) reads exactly like its plain form.
All fixtures are written here or come from tests/fixtures (hand-made); nothing is copied from the seeds.
"""

from __future__ import annotations

import codecs
import gzip
import io
import shutil
import time
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import InputError, OntologyError
from kg.ontology import Ontology
from kg.report import Report
from kg.sources import documents, hpoa
from kg.sources.text import load_text
from tests.conftest import FIXTURES

HEADER_LINES = "#description: hand-made rows\n#version: 2025-01-16\n"
COLUMNS = ("database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\t"
           "aspect\tbiocuration\n")
ROW = "OMIM:610001\tTest syndrome\t\tHP:0001250\tPMID:1\tPCS\t\t3/7\t\t\tP\tHPO:probinson[2021-06-21]\n"
OTHER = "OMIM:610001\tTest syndrome\t\tHP:0002105\tPMID:1\tPCS\t\t\t\t\tP\tHPO:probinson[2021-06-21]\n"
LAST = "ORPHA:99001\tTest rare disease\t\tHP:0001250\tORPHA:99001\tTAS\t\tHP:0040283\t\t\tP\tORPHA:orphadata[2025-01-16]\n"


def _read(data: bytes, path: str = "t.hpoa") -> tuple[list, Report]:
    report = Report()
    return list(hpoa.read(io.BytesIO(data), path=path, report=report)), report


def _hpoa(*rows: str) -> bytes:
    return (HEADER_LINES + COLUMNS + "".join(rows)).encode("utf-8", "surrogateescape")


# -- HPOA: one bad row is skipped and reported; the rows around it are kept -------------------------------

ROW_CASES = {
    "missing column": (ROW.replace("\tP\t", "\t"), "error: t.hpoa:5: expected 12 tab-separated columns, found 11"),
    "extra tab": (ROW.replace("\tP\t", "\tP\t\t"), "error: t.hpoa:5: expected 12 tab-separated columns, found 13"),
    "bad HPO ID HP:12": (ROW.replace("HP:0001250", "HP:12"),
                         "error: t.hpoa:5 [OMIM:610001]: bad HPO ID 'HP:12' in column hpo_id (HP: and 7 digits)"),
    "bad disease ID OMIM:abc": (ROW.replace("OMIM:610001", "OMIM:abc"),
                                ("error: t.hpoa:5 [OMIM:abc]: bad disease ID 'OMIM:abc' (OMIM:nnnnnn, ORPHA:n or "
                                "DECIPHER:n)")),
    "unknown evidence code": (ROW.replace("\tPCS\t", "\tEXP\t"),
                              "error: t.hpoa:5 [OMIM:610001]: unknown evidence code 'EXP' (IEA, PCS or TAS)"),
    "frequency 7/0": (ROW.replace("3/7", "7/0"),
                      "error: t.hpoa:5 [OMIM:610001]: impossible frequency '7/0' (n/m needs 0 <= n <= m, m > 0)"),
    "frequency 120%": (ROW.replace("3/7", "120%"),
                       "error: t.hpoa:5 [OMIM:610001]: impossible frequency '120%' (over 100%)"),
    "frequency word": (ROW.replace("3/7", "often"),
                       "error: t.hpoa:5 [OMIM:610001]: bad frequency 'often' (an HP frequency term, n/m or x%)"),
    "bad aspect": (ROW.replace("\tP\t", "\tX\t"), "error: t.hpoa:5 [OMIM:610001]: bad aspect 'X' (P, I, C, M or H)"),
    "bad qualifier": (ROW.replace("\t\tHP:0001250", "\tNO\tHP:0001250"),
                      "error: t.hpoa:5 [OMIM:610001]: bad qualifier 'NO' (empty or NOT)"),
    "duplicate row": (OTHER, "error: t.hpoa:5 [OMIM:610001]: duplicate of line 4; row skipped"),
    "non-UTF-8 bytes": (ROW.replace("Test syndrome", "Test s\udce9ndrome"),
                        "error: t.hpoa:5: not UTF-8 (invalid continuation byte at byte 18); row skipped"),
}


@pytest.mark.parametrize("name", sorted(ROW_CASES))
def test_bad_row_is_skipped_and_reported_with_file_and_line(name):
    row, problem = ROW_CASES[name]
    annotations, report = _read(_hpoa(OTHER, row, LAST))
    assert [str(p) for p in report.problems] == [problem]
    assert [a.line for a in annotations] == [4, 6]  # the rows before and after are kept
    assert [a.disease_id for a in annotations] == ["OMIM:610001", "ORPHA:99001"]


def test_windows_line_endings_read_like_unix():
    unix, _ = _read(_hpoa(ROW, OTHER, LAST))
    windows, report = _read(_hpoa(ROW, OTHER, LAST).replace(b"\n", b"\r\n"))
    assert windows == unix and report.count() == 0


def test_byte_order_mark_is_ignored():
    plain, _ = _read(_hpoa(ROW, LAST))
    with_bom, report = _read(codecs.BOM_UTF8 + _hpoa(ROW, LAST))
    assert with_bom == plain and report.count() == 0
    no_comment_lines, report = _read(codecs.BOM_UTF8 + (COLUMNS + ROW).encode())
    assert len(no_comment_lines) == 1 and report.count() == 0


@pytest.mark.parametrize("data, message", [
    (_hpoa(ROW).replace(b"hpo_id", b"hpo"),
     ("t.hpoa:3: wrong column header: expected database_id|disease_name|qualifier|hpo_id|reference|evidence|onset|"
     "frequency|sex|modifier|aspect|biocuration, found database_id|disease_name|qualifier|hpo|reference|evidence|"
     "onset|frequency|sex|modifier|aspect|biocuration")),
    (_hpoa(ROW).replace(COLUMNS.encode(), b""),  # the first row is taken for the header and named
     ("t.hpoa:3: wrong column header: expected database_id|disease_name|qualifier|hpo_id|reference|evidence|onset|"
     "frequency|sex|modifier|aspect|biocuration, found OMIM:610001|Test syndrome||HP:0001250|PMID:1|PCS||3/7|||P|"
     "HPO:probinson[2021-06-21]")),
    (b"", "t.hpoa: no column header line (database_id\\tdisease_name\\t...) found"),
    (HEADER_LINES.encode(), "t.hpoa:2: no column header line (database_id\\tdisease_name\\t...) found"),
])
def test_unusable_annotation_file_is_refused(data, message):
    with pytest.raises(InputError) as info:
        _read(data)
    assert str(info.value) == message


def test_truncated_gzip_annotations_are_refused(tmp_path):
    path = tmp_path / "phenotype.hpoa.gz"
    packed = gzip.compress(_hpoa(*(ROW.replace("3/7", f"{i}/9") for i in range(10))))
    path.write_bytes(packed[:-12])
    with pytest.raises(InputError) as info:
        hpoa.load(path)
    assert str(info.value).startswith(f"{path}: truncated or corrupt gzip after line ")


# -- hp.obo: a broken ontology is refused, naming the file ---------------------------------------------------

SLICE = (FIXTURES / "hp-slice.obo").read_text(encoding="utf-8")

OBO_CASES = {
    "broken stanza header": (SLICE.replace("[Term]\nid: HP:0000005", "[Term\nid: HP:0000005", 1),
                             "cannot parse OBO: expected EntityFrame (line 36)"),
    "stanza without id": (SLICE.replace("id: HP:0000005\n", "", 1), "cannot parse OBO: expected Comment (line 37)"),
    "line without tag": (SLICE.replace("name: Mode of inheritance", "nme Mode of inheritance", 1),
                         "cannot parse OBO: expected EOI, Comment, or TermClause (line 38)"),
    "is_a cycle": (SLICE.replace("id: HP:0000001\n", "id: HP:0000001\nis_a: HP:0000118\n", 1),
                   "[HP:0000118]: is_a cycle through HP:0000001 and HP:0000118"),
    "empty file": ("", ":1: not an OBO file: no 'format-version' header line"),
    "header without terms": (SLICE[:SLICE.index("[Term]")], ": no HP terms found"),
    "cut in the middle": (SLICE[: len(SLICE) // 2], "cannot parse OBO: expected SynonymScopeSingle (line 316)"),
    "undeclared synonym type (regression: ValueError from pronto)": (
        SLICE.replace('synonymtypedef: HP:0034334 "allelic_requirement"\n', "", 1),
        "[HP:0000006]: cannot parse OBO: undeclared synonym type: HP:0034334"),
    "parent missing from the file": (SLICE.replace("id: HP:0000006\n", "id: HP:0000006\nis_a: HP:9999999\n", 1),
                                     "cannot parse OBO: 'HP:9999999'"),
}


@pytest.mark.parametrize("name", sorted(OBO_CASES))
def test_broken_ontology_is_refused_naming_the_file(tmp_path, name):
    text, message = OBO_CASES[name]
    path = tmp_path / "hp.obo"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OntologyError) as info:
        Ontology.load(path, use_cache=False)
    assert str(info.value).startswith(str(path))
    assert str(info.value).endswith(message)


def test_truncated_gzip_ontology_is_refused(tmp_path):
    path = tmp_path / "hp.obo.gz"
    path.write_bytes(gzip.compress(SLICE.encode())[:-20])
    with pytest.raises(OntologyError) as info:
        Ontology.load(path, use_cache=False)
    assert str(info.value).startswith(f"{path}: truncated or corrupt gzip: ")


# -- the same through kg build: refuse with exit 2 and one line, or build and report ---------------------------

@pytest.fixture
def inputs(slice_inputs) -> Path:
    return slice_inputs


def _build(inputs: Path, out: Path) -> int:
    return main(["build", "--inputs", str(inputs), "--out", str(out), "--no-default-documents", "--no-store"])


def test_build_refuses_a_wrong_header_with_one_line(inputs, tmp_path, capsys):
    path = inputs / "phenotype.hpoa"
    path.write_text(path.read_text().replace("database_id\t", "DatabaseId\t"))
    assert _build(inputs, tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"kg build: error: {path}:5: wrong column header: expected database_id|")
    assert not any("Traceback" in line for line in err)
    assert not (tmp_path / "out").exists()


def test_build_refuses_a_broken_ontology(inputs, tmp_path, capsys):
    path = inputs / "hp.obo"
    path.write_text(OBO_CASES["is_a cycle"][0])
    assert _build(inputs, tmp_path / "out") == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"kg build: error: {path} [HP:0000118]: is_a cycle through HP:0000001 and HP:0000118")


def test_build_skips_bad_rows_and_reports_them(inputs, tmp_path, capsys):
    path = inputs / "phenotype.hpoa"
    path.write_text(path.read_text() + ROW.replace("HP:0001250", "HP:12") + ROW.replace("3/7", "7/0"))
    assert _build(inputs, tmp_path / "out") == 0
    out = capsys.readouterr().err  # the build's summary table
    assert f"error: {path}:38 [OMIM:610001]: bad HPO ID 'HP:12' in column hpo_id (HP: and 7 digits)" in out
    assert f"error: {path}:39 [OMIM:610001]: impossible frequency '7/0' (n/m needs 0 <= n <= m, m > 0)" in out
    assert "OMIM:610001 a biolink:Disease" in (tmp_path / "out" / "hpoa.ttl").read_text()


# -- documents ------------------------------------------------------------------------------------------------

GARD_TEXT = (FIXTURES / "documents" / "gard-alkaptonuria.txt").read_bytes()


@pytest.mark.parametrize("raw, message", [
    (b"", "empty.txt: empty document"),
    (b"  \n\t\r\n ", "empty.txt: empty document"),
    (b"PK\x03\x04\x00\x00binary zip body\x00\x01", "empty.txt: binary file (NUL bytes), not a text or HTML document"),
    (bytes(range(1, 32)) * 40, "empty.txt: binary file (control bytes), not a text or HTML document"),
    (codecs.BOM_UTF16_LE + "odd".encode("utf-16-le") + b"\x00",
     ("empty.txt: not valid utf-16 despite its byte-order mark: 'utf-16-le' codec can't decode byte 0x00 in position "
     "8: truncated data")),
    (b"<html><body><p>Cut off here", "empty.txt: broken HTML: <body> is never closed (truncated page?)"),
    (b"<html><body><p>a</p><script>var x = 1;</body></html>",
     "empty.txt: broken HTML: unterminated markup at the end: 'var x = 1;</body></html>'"),
    (b"<html><body><p>Text</p></div></span></b></i></u></body></html>",
     "empty.txt: broken HTML: 5 closing tags without an opening tag"),
    (b"<html><body><script>x()</script></body></html>", "empty.txt: HTML without any text"),
    (b"Some words about nothing in particular.\n",
     "empty.txt: unknown kind of document (scores: case-report 0, gard 0, qa 0); pass --kind gard|qa|case-report"),
])
def test_unusable_document_is_refused_naming_it(raw, message):
    with pytest.raises(InputError) as info:
        documents.read_document(raw, source="empty.txt")
    assert str(info.value) == message


def test_document_in_other_encodings_reads_like_utf8():
    utf8 = load_text(GARD_TEXT, path="a.txt")
    for raw, encoding in ((codecs.BOM_UTF16_LE + GARD_TEXT.decode().encode("utf-16-le"), "utf-16"),
                          (codecs.BOM_UTF8 + GARD_TEXT, "utf-8")):
        other = load_text(raw, path="a.txt")
        assert (other.text, other.encoding) == (utf8.text, encoding)
    accented = load_text("Sjögren syndrome is rare.\n".encode("cp1252"), path="a.txt")
    assert (accented.text, accented.encoding) == ("Sjögren syndrome is rare.\n", "cp1252")


def test_html_scripts_and_styles_are_not_text():
    src = load_text((FIXTURES / "documents" / "gard-marfan.html").read_bytes(), path="gard-marfan.html")
    assert "tracking" not in src.text and "not text" not in src.text
    assert src.text.lstrip().startswith("Genetic and Rare Diseases Information Center")
    record = documents.read_document((FIXTURES / "documents" / "gard-marfan.html").read_bytes(), source="m.html")
    assert record.disease.name == "Marfan syndrome"


def test_huge_document_is_read_in_linear_time():
    """30 MB of text: decoding and kind detection touch every byte and stay fast; a 2 MB page is read whole."""
    filler = b"Alkaptonuria causes dark urine and arthritis in adults. "
    huge = GARD_TEXT + filler * (30 * 1024 * 1024 // len(filler))
    start = time.perf_counter()
    src = load_text(huge, path="huge.txt")
    assert documents.detect_kind(src.text, path="huge.txt").value == "gard"
    assert len(src.text) > 30_000_000 and time.perf_counter() - start < 60
    record = documents.read_document(GARD_TEXT + filler * (2 * 1024 * 1024 // len(filler)), source="big.txt")
    assert record.disease.name == "Alkaptonuria"


def test_folder_with_bad_documents_skips_and_reports_each(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "documents" / "gard-alkaptonuria.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "cut.html").write_bytes(b"<html><body><p>Cut off")
    (folder / "record.json").write_text("{not json")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    report = Report()
    records = documents.load_directory(folder, report=report, extraction=documents.Extraction())
    assert [r.disease.name for r in records] == ["Alkaptonuria"]
    assert sorted(str(p) for p in report.problems if p.category != "documents/no-recogniser") == sorted([
        f"error: {folder / 'binary.txt'}: binary file (NUL bytes), not a text or HTML document",
        f"error: {folder / 'cut.html'}: broken HTML: <body> is never closed (truncated page?)",
        f"error: {folder / 'empty.txt'}: empty document",
        (f"error: {folder / 'record.json'}: not JSON: Expecting property name enclosed in double quotes: line 1 "
        f"column 2 (char 1)"),
        f"warning: {folder / 'notes.pdf'}: not a document (.txt/.html) or record (.json) file; ignored",
    ])


# -- command-line arguments -------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    ([], "kg: error: the following arguments are required: COMMAND"),
    (["frobnicate"], "kg: error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["build", "--format", "xml"], ("kg build: error: argument --format: invalid choice: 'xml' (choose from 'turtle', "
                                   "'ntriples')")),
    (["build", "--inputs", "/nonexistent/inputs"],
     "kg build: error: /nonexistent/inputs: no hp.obo or hp.obo.gz or ontologies/hp.obo.gz in input directory"),
    (["build", "--base-iri", "ftp://example.org/"],
     "kg build: error: base IRI must be an absolute http(s) IRI ending in '/' or '#': 'ftp://example.org/'"),
    (["build", "--documents", "/nonexistent/docs", "--no-store"],
     "kg build: error: /nonexistent/docs: documents folder not found"),
    (["fetch", "--release", "16-01-2025"], "kg fetch: error: release must be a date like 2025-01-16, got '16-01-2025'"),
    (["fetch", "--timeout", "0"], "kg fetch: error: timeout must be positive, got 0.0"),
    (["validate", "--jobs", "0"], "kg validate: error: --jobs must be 1 or more, got 0"),
    (["validate", "/nonexistent/build"], "kg validate: error: /nonexistent/build: no such build directory or graph file"),
])
def test_wrong_arguments_exit_2_with_one_line(tmp_path, inputs, argv, message, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if argv[:1] == ["build"]:
        argv = argv + ["--out", str(tmp_path / "out")] + ([] if "--inputs" in argv else ["--inputs", str(inputs)])
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_build_refuses_to_overwrite_a_foreign_directory(tmp_path, capsys):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert main(["build", "--out", str(foreign), "--no-store"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"kg build: error: {foreign}: refusing to replace: exists and is not a kg build output (no build.json)")
    assert (foreign / "holiday.jpg").read_bytes() == b"\xff\xd8"
