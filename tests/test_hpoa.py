"""The phenotype.hpoa reader (kg.sources.hpoa) on hand-made rows in the real format.

tests/fixtures/mini.hpoa has 32 rows: all five aspects, NOT, the three frequency forms, sex,
onset, modifiers, PMID/OMIM/ORPHA/DECIPHER/ISBN/URL references, several biocurations, an
alt ID (line 19), an obsolete ID (line 20) and one malformed row (line 36).
"""

from __future__ import annotations

import gzip
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError, KgError
from kg.model import Aspect, Biocuration, Evidence, Frequency, Sex
from kg.ontology import Ontology
from kg.report import Report
from kg.sources import hpoa
from tests.conftest import FIXTURES

MINI = FIXTURES / "mini.hpoa"
SLICE = FIXTURES / "hp-slice.obo"
HEADER = "\t".join(hpoa.COLUMNS)
COMMENTS = ("#description: \"HPO annotations for rare diseases [test]\"\n#version: 2025-01-16\n"
            "#tracker: https://github.com/obophenotype/human-phenotype-ontology/issues\n")
#: a valid row; tests vary one column at a time
BASE = ["OMIM:610001", "Test syndrome", "", "HP:0001250", "PMID:11111111", "PCS", "", "", "", "", "P",
        "HPO:probinson[2021-06-21]"]
COL = {name: i for i, name in enumerate(hpoa.COLUMNS)}


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return Ontology.load(SLICE)


@pytest.fixture(scope="module")
def mini(onto):
    report, headers = Report(), []
    annotations = hpoa.load(MINI, ontology=onto, report=report, header_out=headers)
    return annotations, report, headers


def row(**changes: str) -> str:
    cells = list(BASE)
    for name, value in changes.items():
        cells[COL[name]] = value
    return "\t".join(cells)


def read_lines(*rows: str, ontology=None, report=None, path="test.hpoa"):
    text = COMMENTS + HEADER + "\n" + "".join(r + "\n" for r in rows)
    report = report if report is not None else Report()
    return list(hpoa.read(io.StringIO(text), path=path, report=report, ontology=ontology)), report


def one(ontology=None, **changes: str):
    annotations, report = read_lines(row(**changes), ontology=ontology)
    return (annotations[0] if annotations else None), report


# -- the fixture file ---------------------------------------------------------------------------

def test_mini_file_reads_every_good_row(mini):
    annotations, _, headers = mini
    assert len(annotations) == 31
    assert headers[0].version == "2025-01-16"
    assert headers[0].fields["hpo-version"].endswith("/2025-01-16/hp.json")
    assert {a.aspect for a in annotations} == set(Aspect)
    assert {a.evidence for a in annotations} == set(Evidence)
    assert len({a.disease_id for a in annotations}) == 6
    assert [a.line for a in annotations] == sorted(a.line for a in annotations)
    assert len({a.row_key for a in annotations}) == 31


def test_mini_file_problems_are_counted_with_file_and_line(mini):
    _, report, _ = mini
    assert report.summary_rows() == [("error", "hpoa-row", 1), ("warning", "hpo-id-alt-id", 1),
                                     ("warning", "hpo-id-obsolete-replaced", 1)]
    error = next(p for p in report.problems if p.severity == "error")
    assert (error.path, error.line, error.identifier) == (str(MINI), 36, "OMIM:610004")
    assert "often" in error.message
    assert str(error).startswith(f"error: {MINI}:36 [OMIM:610004]:")
    # the malformed row's disease still has its other row
    annotations = mini[0]
    assert [a.hpo_id for a in annotations if a.disease_id == "OMIM:610004"] == ["HP:0002105"]


def test_mini_file_alt_and_obsolete_ids_are_mapped(mini):
    annotations, report, _ = mini
    by_line = {a.line: a for a in annotations}
    assert (by_line[19].hpo_id, by_line[19].original_hpo_id) == ("HP:0002093", "HP:0004893")
    assert (by_line[20].hpo_id, by_line[20].original_hpo_id) == ("HP:0001626", "HP:0003114")
    assert "\tHP:0004893\t" in by_line[19].row_key  # the key is the row as written
    assert all(a.original_hpo_id is None for a in annotations if a.line not in (19, 20))
    warned = {(p.line, p.category) for p in report.problems if p.severity == "warning"}
    assert warned == {(19, "hpo-id-alt-id"), (20, "hpo-id-obsolete-replaced")}


def test_mini_file_not_rows(mini):
    negated = sorted((a.disease_id, a.hpo_id, a.aspect.value) for a in mini[0] if a.negated)
    assert negated == [("OMIM:610001", "HP:0001627", "P"), ("ORPHA:99001", "HP:0000007", "I"),
                       ("ORPHA:99001", "HP:0001626", "P")]


def test_mini_file_row_in_full(mini):
    line_14 = next(a for a in mini[0] if a.line == 14)
    assert line_14.disease_id == "OMIM:610002" and line_14.disease_name == "Test disorder, X-linked"
    assert line_14.hpo_id == "HP:0001250" and not line_14.negated
    assert line_14.references == ("PMID:33333333",)
    assert line_14.evidence is Evidence.PCS and line_14.aspect is Aspect.PHENOTYPE
    assert line_14.onset == "HP:0003623"
    assert line_14.frequency == Frequency(raw="2/2", count=2, total=2)
    assert line_14.sex is Sex.MALE
    assert line_14.modifiers == ("HP:0012828", "HP:0025303")
    assert line_14.biocuration == (Biocuration("HPO:probinson", "2013-03-12"),
                                   Biocuration("HPO:probinson", "2020-11-01"))


# -- frequencies ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "term", "count", "total", "percent", "quotient"), [
    ("3/7", None, 3, 7, None, 3 / 7),
    ("0/5", None, 0, 5, None, 0.0),
    ("2/2", None, 2, 2, None, 1.0),
    ("45%", None, None, None, 45.0, 0.45),
    ("12.5%", None, None, None, 12.5, 0.125),
    ("100%", None, None, None, 100.0, 1.0),
    ("0%", None, None, None, 0.0, 0.0),
    ("HP:0040280", "HP:0040280", None, None, None, None),
    ("HP:0040285", "HP:0040285", None, None, None, None),
])
def test_every_frequency_form(onto, raw, term, count, total, percent, quotient):
    annotation, report = one(onto, frequency=raw)
    assert report.count() == 0
    f = annotation.frequency
    assert (f.raw, f.term, f.count, f.total, f.percent) == (raw, term, count, total, percent)
    assert (f.quotient is None) if quotient is None else math.isclose(f.quotient, quotient)


@pytest.mark.parametrize("raw", ["often", "3/0", "8/7", "-1/2", "1/2/3", "101%", "12,5%", "HP:0000006",
                                 "HP:0040282;HP:0040283", "HP:9999999", "½"])
def test_impossible_frequencies_skip_the_row(onto, raw):
    annotation, report = one(onto, frequency=raw)
    assert annotation is None
    assert report.count("error", "hpoa-row") == 1
    assert "frequency" in report.problems[0].message


def test_no_frequency():
    annotation, _ = one()
    assert annotation.frequency is None


# -- other columns ---------------------------------------------------------------------------------

def test_not_qualifier():
    assert one(qualifier="NOT")[0].negated is True
    assert one()[0].negated is False
    assert one(qualifier="not")[0] is None


@pytest.mark.parametrize(("raw", "sex"), [("MALE", Sex.MALE), ("FEMALE", Sex.FEMALE), ("female", Sex.FEMALE),
                                          ("", None)])
def test_sex(raw, sex):
    assert one(sex=raw)[0].sex is sex


@pytest.mark.parametrize(("raw", "expected"), [
    ("PMID:11111111", ("PMID:11111111",)),
    ("PMID:1;PMID:2;PMID:1", ("PMID:1", "PMID:2")),
    ("OMIM:610001;ORPHA:99001;DECIPHER:16", ("OMIM:610001", "ORPHA:99001", "DECIPHER:16")),
    ("ISBN-13:978-0-19-262896-1", ("ISBN:9780192628961",)),
    ("ISBN-10:0-19-262896-8", ("ISBN:0192628968",)),
    ("ISBN:0-19-262896-X", ("ISBN:019262896X",)),
    ("http://www.ncbi.nlm.nih.gov/books/NBK1116/", ("http://www.ncbi.nlm.nih.gov/books/NBK1116/",)),
    ("https://www.orpha.net/en/disease/detail/99001?x=1&y=2", ("https://www.orpha.net/en/disease/detail/99001?x=1&y=2",)),
    ("", ()),
])
def test_references(raw, expected):
    annotation, report = one(reference=raw)
    assert annotation.references == expected and report.count() == 0


@pytest.mark.parametrize("bad", ["OMIM:18417549", "PMID:20037588P", "PMID:", "doi 10.1/x", "ISBN:12345678",
                                 "ISBN-13:978-0-19-26289", "http://a.org/x|y", "http://a.org/{id}",
                                 "http://a.org/a\\b", "https://a.org/%zz", "http://a.org/x#y#z"])
def test_malformed_reference_is_dropped_and_the_row_kept(bad):
    annotation, report = one(reference=f"PMID:11111111;{bad}")
    assert annotation.references == ("PMID:11111111",)
    assert report.count("warning", "hpoa-reference") == 1
    assert repr(bad) in report.problems[0].message


def test_onset_and_modifiers(onto):
    annotation, report = one(onto, onset="HP:0003593", modifier="HP:0012828; HP:0025303;HP:0012828")
    assert annotation.onset == "HP:0003593"
    assert annotation.modifiers == ("HP:0012828", "HP:0025303")
    # an alt ID in the onset column is mapped too, with its own warning
    annotation, report = one(onto, onset="HP:0003595")
    assert annotation.onset == "HP:0003577"
    assert report.count("warning", "hpo-id-alt-id") == 1 and "onset HP:0003595" in report.problems[0].message
    assert one(onto, modifier="HP:0012828;HP:12")[0] is None


def test_biocurations():
    annotation, _ = one(biocuration="HPO:probinson[2021-06-21];HPO:skoehler[2013-05-29];ORPHA:orphadata")
    assert annotation.biocuration == (Biocuration("HPO:probinson", "2021-06-21"),
                                      Biocuration("HPO:skoehler", "2013-05-29"),
                                      Biocuration("ORPHA:orphadata", None))


@pytest.mark.parametrize("aspect", list(Aspect))
def test_every_aspect(aspect):
    assert one(aspect=aspect.value)[0].aspect is aspect


# -- ontology checks --------------------------------------------------------------------------------

def test_unknown_and_dead_obsolete_ids_skip_the_row(onto):
    annotation, report = one(onto, hpo_id="HP:0030339")  # not in the slice
    assert annotation is None and "unknown" in report.problems[0].message
    annotation, report = one(onto, hpo_id="HP:0003295")  # obsolete, no replaced_by
    assert annotation is None and "obsolete with no replacement" in report.problems[0].message


def test_without_an_ontology_ids_are_only_checked_for_syntax():
    annotation, report = one(hpo_id="HP:0004893")
    assert annotation.hpo_id == "HP:0004893" and annotation.original_hpo_id is None and report.count() == 0


def test_obsolete_warnings_are_counted_per_row(onto):
    report = Report(keep=2)
    annotations, _ = read_lines(*(row(hpo_id="HP:0003114", reference=f"PMID:{n}") for n in range(1, 6)),
                                ontology=onto, report=report)
    assert [a.hpo_id for a in annotations] == ["HP:0001626"] * 5
    assert report.count("warning", "hpo-id-obsolete-replaced") == 5
    assert len(report.problems) == 2  # the first few kept in full, all counted


# -- malformed lines --------------------------------------------------------------------------------

MALFORMED = {
    "11 columns": "\t".join(BASE[:11]),
    "13 columns": "\t".join(BASE + ["extra"]),
    "one column": "OMIM:610001 Test syndrome HP:0001250",
    "bad disease id": row(database_id="OMIM:61000"),
    "unknown database": row(database_id="MONDO:0000001"),
    "no disease id": row(database_id=""),
    "bad qualifier": row(qualifier="EXCLUDED"),
    "bad hpo id": row(hpo_id="HP:000125"),
    "empty hpo id": row(hpo_id=""),
    "bad evidence": row(evidence="ICE"),
    "bad aspect": row(aspect="X"),
    "lower-case aspect": row(aspect="p"),
    "bad sex": row(sex="M"),
    "bad onset": row(onset="congenital"),
    "non-ascii digits": row(hpo_id="HP:\u0660\u0660\u0660\u0661\u0662\u0665\u0660"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_line_is_reported_with_file_and_line_and_skipped(name):
    annotations, report = read_lines(row(hpo_id="HP:0002105"), MALFORMED[name], row(hpo_id="HP:0002093"),
                                     path="some/phenotype.hpoa")
    assert [a.hpo_id for a in annotations] == ["HP:0002105", "HP:0002093"]
    assert report.count() == 1 and report.count("error", "hpoa-row") == 1
    problem = report.problems[0]
    assert (problem.path, problem.line) == ("some/phenotype.hpoa", 6)  # 3 comment lines + header + 2


def test_blank_lines_are_ignored():
    annotations, report = read_lines("", row(), "   ", "")
    assert len(annotations) == 1 and report.count() == 0


def test_duplicate_row_is_reported_and_skipped():
    first = row()
    again_other_curation = row(biocuration="HPO:skoehler[2022-01-05]", disease_name="Other name")
    annotations, report = read_lines(first, row(hpo_id="HP:0002105"), first, again_other_curation)
    assert len(annotations) == 2
    assert report.count("error", "hpoa-duplicate") == 2
    assert [p.line for p in report.problems] == [7, 8]
    assert all("duplicate of line 5" in p.message for p in report.problems)


def test_row_key_does_not_depend_on_position():
    a, _ = read_lines(row(), row(hpo_id="HP:0002105"))
    b, _ = read_lines(row(hpo_id="HP:0002105"), row())
    assert {x.row_key for x in a} == {x.row_key for x in b}
    assert a[0].row_key == b[1].row_key and a[0].line != b[1].line


# -- the header ------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    HEADER.replace("hpo_id", "hpo_term"),
    "\t".join(hpoa.COLUMNS[:-1]),
    HEADER.upper(),
    "database_id,disease_name,qualifier,hpo_id",
])
def test_wrong_header_is_an_input_error(header):
    text = COMMENTS + header + "\n" + row() + "\n"
    with pytest.raises(InputError, match="wrong column header") as info:
        list(hpoa.read(io.StringIO(text), path="x.hpoa"))
    assert (info.value.path, info.value.line) == ("x.hpoa", 4)


@pytest.mark.parametrize("text", ["", COMMENTS, "\n\n"])
def test_missing_header_is_an_input_error(text):
    with pytest.raises(InputError, match="no column header"):
        list(hpoa.read(io.StringIO(text), path="x.hpoa"))


def test_rows_before_the_header_make_it_wrong():
    with pytest.raises(InputError):
        list(hpoa.read(io.StringIO(row() + "\n" + HEADER + "\n")))


# -- encodings and line ends -------------------------------------------------------------------------

def _bytes_lines(text: str, newline: str = "\n", bom: bool = False) -> list[bytes]:
    data = (("\ufeff" if bom else "") + text).replace("\n", newline).encode("utf-8")
    return data.splitlines(keepends=True)


def _reference_annotations():
    text = (COMMENTS + HEADER + "\n" + row(disease_name="Syndrome de Lévy–Müller") + "\n"
            + row(hpo_id="HP:0002105") + "\n")
    return text, list(hpoa.read(io.StringIO(text)))


@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", False), ("\n", True), ("\r\n", True)])
def test_bom_and_crlf_bytes(newline, bom):
    text, expected = _reference_annotations()
    report = Report()
    got = list(hpoa.read(_bytes_lines(text, newline, bom), report=report))
    assert got == expected and report.count() == 0
    assert got[0].disease_name == "Syndrome de Lévy–Müller"


def test_bom_directly_before_the_column_header():
    text = "\ufeff" + HEADER + "\r\n" + row() + "\r\n"
    assert len(list(hpoa.read(io.StringIO(text, newline="")))) == 1
    assert len(list(hpoa.read(text.encode("utf-8").splitlines(keepends=True)))) == 1


def test_non_utf8_line_is_reported_and_skipped():
    good, bad = row().encode("utf-8") + b"\n", row(disease_name="S\xe9", hpo_id="HP:0002105").encode("latin-1") + b"\n"
    lines = [c.encode() for c in COMMENTS.splitlines(keepends=True)] + [HEADER.encode() + b"\n", good, bad]
    report = Report()
    annotations = list(hpoa.read(lines, path="latin.hpoa", report=report))
    assert [a.hpo_id for a in annotations] == ["HP:0001250"]
    assert report.summary_rows() == [("error", "hpoa-encoding", 1)]
    assert (report.problems[0].path, report.problems[0].line) == ("latin.hpoa", 6)


# -- files ------------------------------------------------------------------------------------------

def test_gzipped_and_plain_files_read_the_same(tmp_path, onto, mini):
    packed = tmp_path / "phenotype.hpoa.gz"
    packed.write_bytes(gzip.compress(MINI.read_bytes()))
    assert [a.row_key for a in hpoa.load(packed, ontology=onto)] == [a.row_key for a in mini[0]]
    assert hpoa.read_header(packed).version == "2025-01-16"


def test_truncated_gzip_and_missing_file(tmp_path):
    big = (COMMENTS + HEADER + "\n" + "".join(row(reference=f"PMID:{n}") + "\n" for n in range(3000))).encode()
    packed = gzip.compress(big)
    truncated = tmp_path / "cut.hpoa.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match="truncated or corrupt gzip"):
        hpoa.load(truncated)
    with pytest.raises(InputError, match="not found"):
        hpoa.load(tmp_path / "absent.hpoa")


def test_read_header_stops_at_the_rows():
    header = hpoa.read_header(MINI)
    assert header.version == "2025-01-16" and "description" in header.fields


# -- property-based: nothing but the project's errors, every line accounted for -----------------------

_CELL_VALUES = {
    "database_id": ["OMIM:610001", "ORPHA:99001", "DECIPHER:16", "OMIM:1", "ORPHA:", ""],
    "disease_name": ["Test syndrome", "", "Ünïcödé \"quoted\" \\ name"],
    "qualifier": ["", "NOT", "not"],
    "hpo_id": ["HP:0001250", "HP:0004893", "HP:0003114", "HP:0003295", "HP:0030339", "HP:0040282", "HP:1"],
    "reference": ["PMID:1", "OMIM:610001;PMID:2", "ISBN-10:0-19-262896-8", "http://a.org/x", "http://a.org/{x}",
                  ""],
    "evidence": ["PCS", "IEA", "TAS", "XYZ"],
    "onset": ["", "HP:0003593", "HP:0003595", "HP:0001250"],
    "frequency": ["", "1/2", "0/0", "3/2", "45%", "1000%", "HP:0040283", "HP:0000006", "often"],
    "sex": ["", "MALE", "FEMALE", "?"],
    "modifier": ["", "HP:0012828", "HP:0012828;HP:0025303", ";", "HP:x"],
    "aspect": ["P", "I", "C", "M", "H", "Q", ""],
    "biocuration": ["HPO:probinson[2021-06-21]", "", "x[y]", "a;b[2020-01-01]"],
}
_LINE_BREAKS = "\n\r\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"  # what str.splitlines() splits on
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=_LINE_BREAKS),
                max_size=30)
_CELL = {name: st.one_of(st.sampled_from(values), _TEXT) for name, values in _CELL_VALUES.items()}
_ROW = st.one_of(
    st.tuples(*(_CELL[name] for name in hpoa.COLUMNS)).map("\t".join),
    st.lists(_TEXT, min_size=1, max_size=14).map("\t".join),
    _TEXT,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_ROW, max_size=12))
def test_random_lines_raise_only_project_errors_and_are_all_accounted_for(onto, lines):
    report = Report(keep=1000)
    try:
        annotations = list(hpoa.read(io.StringIO(HEADER + "\n" + "\n".join(lines) + "\n"), report=report,
                                     ontology=onto))
    except KgError:
        return
    data_lines = sum(1 for line in lines if line.strip())
    skipped = report.count("error")
    assert len(annotations) + skipped == data_lines
    for a in annotations:
        assert a.hpo_id in onto and not onto[a.hpo_id].obsolete
        assert a.frequency is None or a.frequency.term or a.frequency.quotient is not None


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_raise_only_project_errors(data):
    try:
        list(hpoa.read(io.BytesIO(HEADER.encode() + b"\n" + data), report=Report()))
    except KgError:
        pass
