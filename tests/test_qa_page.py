"""Question-and-answer page reader: the RareGuru neonatal hemochromatosis seed and own pages."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.report import Report
from kg.sources import qa_page
from kg.sources.documents import read_document
from kg.sources.text import read_handle
from tests.conftest import FIXTURES

DOCS = FIXTURES / "documents"
SEED = "rareguru-neonatal-hemochromatosis.txt"


@pytest.fixture(scope="module")
def extraction(doc_extraction):
    return doc_extraction


@pytest.fixture(scope="module")
def nh(seeds, extraction):
    return read_document((seeds / SEED).read_bytes(), source=SEED, extraction=extraction)


def test_seed_disease_questions_and_identity(nh):
    assert nh.disease.name == "Neonatal hemochromatosis"
    assert [q.topic for q in nh.questions] == ["cause", "inheritance", "treatment"]
    assert {lk.curie: lk.match for lk in nh.resolution.links} == {"ORPHA:446": "exact", "OMIM:231100": "exact"}
    assert "inverted" in next(lk for lk in nh.resolution.links if lk.curie == "OMIM:231100").justification


def test_seed_inheritance_treatments_prevention(nh):
    assert any(i.inherited is False for i in nh.inheritance)
    assert [i.recurrence_percent for i in nh.inheritance if i.recurrence_percent] == [80.0]
    treat = {(t.name, t.purpose) for t in nh.treatments}
    assert {("exchange transfusion", "treatment"), ("intravenous immunoglobulin", "treatment"),
            ("liver transplantation", "treatment"), ("intravenous immunoglobulin", "prevention")} <= treat
    prevention = next(t for t in nh.treatments if t.purpose == "prevention")
    assert prevention.population == "future pregnancies"
    assert nh.causes[0].status == "unknown"


def test_seed_organisations_with_phones(nh):
    orgs = nh.organisations
    assert len(orgs) == 6
    assert sum(1 for o in orgs if o.phone) == 5  # the first lists only a fax number
    ahs = next(o for o in orgs if o.name.startswith("American Hemochromatosis"))
    assert (ahs.phone, ahs.toll_free, ahs.fax, ahs.country) == ("407-829-4488", "1-888-655-IRON (4766)",
                                                                 "407-333-1284", "United States")
    cldf = next(o for o in orgs if o.name == "Children's Liver Disease Foundation")
    assert cldf.country == "United Kingdom" and cldf.address.startswith("36 Great Charles Street")
    assert all(o.email is None for o in orgs)


def test_seed_dates_are_kept_as_printed_when_ambiguous(nh):
    assert {(d.raw, d.iso) for d in nh.dates} == {("05-01-20", None)}


def test_own_text_page_other_order(extraction):
    r = read_document((DOCS / "qa-cystinosis.txt").read_bytes(), source="cys.txt", extraction=extraction)
    assert r.resolution.node == "ORPHA:213"
    assert [q.topic for q in r.questions] == ["treatment", "inheritance", "symptoms"]
    assert [i.hpo_id for i in r.inheritance if i.hpo_id] == ["HP:0000007"]
    assert [i.recurrence_percent for i in r.inheritance if i.recurrence_percent] == [25.0]
    assert {"cysteamine", "kidney transplantation"} <= {t.name for t in r.treatments}
    assert [o.email for o in r.organisations] == ["info@example.org", None]
    assert r.organisations[1].fax == "+44 20 7946 0001"
    assert {d.iso for d in r.dates} == {"2019-12-20"}


def test_own_html_page(extraction):
    r = read_document((DOCS / "qa-wilson.html").read_bytes(), source="wilson.html", extraction=extraction)
    assert r.disease.name == "Wilson disease" and r.resolution.node == "ORPHA:905"
    assert [q.topic for q in r.questions] == ["cause", "treatment"]
    assert {"penicillamine", "zinc", "liver transplantation"} <= {t.name for t in r.treatments}
    (org,) = r.organisations
    assert (org.name, org.phone, org.country) == ("Copper Disorders Alliance", "617-555-0142", "United States")


def test_page_without_questions_is_refused():
    with pytest.raises(InputError, match="no questions"):
        qa_page.read_text(read_handle(io.StringIO("Some disease\n\nJust a paragraph.\n"), path="q.txt"), source="q.txt",
                          report=Report())


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_organisation_parser_never_fails(block):
    text = "Name: " + block
    org = qa_page.parse_organisation(text, 6, len(text))
    assert 0 <= org.span.start <= org.span.end <= len(text)
