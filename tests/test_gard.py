"""GARD disease page reader: the IPH seed (read from ../shared/seeds) and own pages of other diseases."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.report import Report
from kg.sources import gard
from kg.sources.documents import read_document
from kg.sources.text import read_handle
from tests.conftest import FIXTURES

DOCS = FIXTURES / "documents"
SEED = "gard-idiopathic-pulmonary-hemosiderosis.txt"


@pytest.fixture(scope="module")
def extraction(doc_extraction):
    return doc_extraction


@pytest.fixture(scope="module")
def iph(seeds, extraction):
    return read_document((seeds / SEED).read_bytes(), source=SEED, extraction=extraction)


def test_seed_names_and_identity(iph):
    assert iph.disease.name == "Idiopathic pulmonary hemosiderosis"
    assert len(iph.disease.synonyms) == 3 and "Pulmonary hemosiderosis" in iph.disease.synonyms
    assert iph.resolution.node == "ORPHA:99931"
    assert {link.curie for link in iph.resolution.links if link.match == "exact"} == {"ORPHA:99931", "OMIM:178550"}


def test_seed_table_terms_with_inheritance_apart(iph):
    table = {p.hpo_id for p in iph.phenotypes if p.origin == "table"}
    assert table == {"HP:0002105", "HP:0001891", "HP:0002206", "HP:0006535", "HP:0002093", "HP:0005828"}
    assert [i.hpo_id for i in iph.inheritance if i.origin == "table"] == ["HP:0000006"]
    lay = {p.hpo_id: p.layperson for p in iph.phenotypes if p.origin == "table"}
    assert lay["HP:0002105"] == "Coughing up blood" and lay["HP:0006535"] == "Recurrent bleeding into lungs"


def test_seed_prose_phenotypes_come_from_the_recogniser(iph):
    prose = {p.hpo_id for p in iph.phenotypes if p.origin == "text"}
    assert {"HP:0030828", "HP:0002094", "HP:0012378"} <= prose  # wheezing, dyspnoea, fatigue
    for p in iph.phenotypes:  # every span slices back to what was matched
        assert p.span.end > p.span.start


def test_seed_treatments_prevalence_onset_references(iph):
    names = {t.name for t in iph.treatments}
    assert {"oxygen", "blood transfusion", "respiratory therapy", "mechanical ventilation",
            "immunosuppressive agent", "gluten-free diet"} <= names
    diet = next(t for t in iph.treatments if t.name == "gluten-free diet")
    assert diet.population == "people with celiac disease"
    (prev,) = iph.prevalence
    assert (prev.low, prev.high, prev.per, prev.measure) == (0.24, 1.26, 1_000_000, "prevalence")
    assert any(o.hpo_id == "HP:0410280" and (o.min_years, o.max_years) == (1.0, 7.0) for o in iph.onsets)
    assert len(iph.references) == 8
    ids = {i for r in iph.references for i in r.identifiers}
    assert {"PMCID:PMC4545926", "PMCID:PMC3852822", "PMID:26692115", "OMIM:178550"} <= ids
    ref2 = iph.references[1]
    assert ref2.authors[0] == "Chin CIC" and ref2.journal == "Orphanet J Rare Dis" and ref2.year == 2015
    assert {"diagnosis", "treatment", "prognosis", "prevalence", "cause", "inheritance"} <= {s.topic for s in iph.sections}
    assert {d.iso for d in iph.dates} == {"2017-09-05", "2020-07-01", "2017-12-31"}
    assert {r.name for r in iph.resources} >= {"Orphanet", "PubMed", "ClinicalTrials.gov"}
    assert {p.name for p in iph.procedures} == {"laboratory tests", "imaging", "lung biopsy"}
    assert [f.factor for f in iph.prognosis] == ["Gender", "Age at diagnosis"]
    assert len(iph.complications) == 3


def test_own_text_page_other_disease_other_order(extraction):
    r = read_document((DOCS / "gard-alkaptonuria.txt").read_bytes(), source="alk.txt", extraction=extraction)
    assert r.disease.synonyms == ("AKU", "Homogentisic acid oxidase deficiency")
    assert r.resolution.node == "ORPHA:56" and "OMIM:203500" in {lk.curie for lk in r.resolution.links}
    assert [s.topic for s in r.sections] == ["summary", "inheritance", "treatment", "phenotype-table", "symptoms",
                                             "prevalence", "references"]
    assert {p.hpo_id for p in r.phenotypes if p.origin == "table"} == {"HP:0002829", "HP:0002808"}
    assert any(i.hpo_id == "HP:0000007" and i.origin == "table" for i in r.inheritance)
    assert any(i.recurrence_percent == 25.0 for i in r.inheritance)
    assert {"physical therapy", "surgery", "low-protein diet", "nitisinone"} <= {t.name for t in r.treatments}
    assert [(p.low, p.per) for p in r.prevalence] == [(1.0, 250_000)]
    assert [o.hpo_id for o in r.onsets] == ["HP:0011462"]
    assert [x.identifiers for x in r.references] == [("DOI:10.1000/jimd.2018.001",), ("OMIM:203500",), ("PMID:31234567",)]


def test_own_html_page_with_headings_and_table_cells(extraction):
    r = read_document((DOCS / "gard-marfan.html").read_bytes(), source="marfan.html", extraction=extraction)
    assert r.document.media_type == "text/html" and r.disease.name == "Marfan syndrome"
    assert r.resolution.node == "ORPHA:558"
    rows = {p.hpo_id: p.layperson for p in r.phenotypes if p.origin == "table"}
    assert rows == {"HP:0001166": "Long slender fingers", "HP:0002650": None}
    assert [i.hpo_id for i in r.inheritance] == ["HP:0000006"]
    assert {"beta blocker", "surgery", "physical therapy"} <= {t.name for t in r.treatments}
    assert [(p.low, p.high, p.per) for p in r.prevalence] == [(1.0, 2.0, 10_000)]
    assert r.references[0].identifiers == ("PMID:30111222",)
    assert r.causes[0].agent == "changes in the FBN1 gene"


def test_without_recogniser_the_prose_is_reported_not_guessed():
    report = Report()
    r = gard.read_text(read_handle(io.BytesIO((DOCS / "gard-alkaptonuria.txt").read_bytes()), path="alk.txt"),
                      source="alk.txt", report=report)
    assert all(p.origin == "table" for p in r.phenotypes)
    assert report.count(category="documents/no-recogniser") == 1


def test_table_row_with_unknown_id_is_reported(hpo):
    text = "Medical Terms Other Names\nHPO ID\nMade up term 9999999\nKyphosis 0002808\n"
    report = Report()
    rows, modes = gard.phenotype_table(text, 0, len(text), ontology=hpo, report=report, path="t")
    assert [r.hpo_id for r in rows] == ["HP:0002808"] and not modes
    assert report.count(category="documents/unknown-hpo-id") == 1


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_reader_never_raises_anything_but_kg_errors(text):
    try:
        gard.read_text(read_handle(io.StringIO("Some disease\n\nOther Names:\n" + text), path="fuzz"), source="fuzz")
    except KgError:
        pass
