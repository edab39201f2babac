"""Disease identity: name normalisation, OMIM inverted titles, evidence ranking, ambiguity reported."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.docrecords import DiseaseName
from kg.model import Annotation, Aspect, Evidence
from kg.resolve import DiseaseIndex, normalise, resolve_name, uninvert

INDEX = DiseaseIndex.from_pairs([
    ("OMIM:178550", "Pulmonary hemosiderosis"),
    ("OMIM:235500", "Hemosiderosis, pulmonary, with deficiency of gamma-A globulin"),
    ("ORPHA:99931", "Idiopathic pulmonary hemosiderosis"),
    ("OMIM:231100", "Hemochromatosis, neonatal"),
    ("ORPHA:446", "Neonatal hemochromatosis"),
    ("OMIM:100001", "Twin syndrome"),
    ("OMIM:100002", "Syndrome, twin"),
    ("ORPHA:1", "Leukaemia, rare"),
    ("DECIPHER:1", "Other namespace"),
])


def test_normalise_and_uninvert():
    assert normalise("Haemochromatosis (neonatal)") == "hemochromatosis"
    assert normalise("Alpha-Mannosidosis") == "alpha mannosidosis"
    assert uninvert("Hemochromatosis, neonatal") == "neonatal Hemochromatosis"
    assert uninvert("Hemosiderosis, pulmonary, with deficiency of gamma-A globulin") == \
        "pulmonary Hemosiderosis with deficiency of gamma-A globulin"
    assert uninvert("Hemochromatosis, type 1") is None
    assert uninvert("Plain name") is None


def test_identifier_in_document_beats_a_synonym_only_match():
    r = resolve_name(DiseaseName("Idiopathic pulmonary hemosiderosis",
                                 synonyms=("Hemosiderosis, pulmonary, with deficiency of gamma-a globulin",
                                           "Pulmonary hemosiderosis"),
                                 identifiers=("OMIM:178550",)), INDEX)
    assert r.status == "resolved" and r.node == "ORPHA:99931"
    links = {lk.curie: lk for lk in r.links}
    assert set(links) == {"ORPHA:99931", "OMIM:178550"}
    assert "identifier-in-document" in links["OMIM:178550"].evidence
    assert any("OMIM:235500" in p and "not linked" in p for p in r.problems)


def test_inverted_title_and_british_spelling():
    r = resolve_name(DiseaseName("Neonatal haemochromatosis"), INDEX)
    assert {lk.curie for lk in r.links} == {"ORPHA:446", "OMIM:231100"}
    assert r.node == "ORPHA:446"
    assert resolve_name(DiseaseName("rare leukemia"), INDEX).node == "ORPHA:1"


def test_two_strong_candidates_are_ambiguous_and_none_is_linked():
    r = resolve_name(DiseaseName("Twin syndrome"), INDEX)
    assert r.status == "ambiguous" and r.node is None and not r.links
    assert "OMIM:100001" in r.problems[0] and "OMIM:100002" in r.problems[0]


def test_a_lone_synonym_match_is_a_close_match_with_its_justification():
    r = resolve_name(DiseaseName("Some page title", synonyms=("Pulmonary hemosiderosis",)), INDEX)
    (link,) = r.links
    assert (link.curie, link.match, link.evidence) == ("OMIM:178550", "close", ("synonym",))
    assert "synonym" in link.justification


def test_unresolved_and_unmatched_identifiers_are_reported():
    r = resolve_name(DiseaseName("Nothing like it", identifiers=("OMIM:231100", "OMIM:999999")), INDEX)
    assert r.status == "unresolved" and r.node is None
    assert any("none of its names match" in p for p in r.problems)
    assert any("OMIM:999999" in p for p in r.problems)


def test_index_from_annotation_records():
    ann = Annotation("ORPHA:446", "Neonatal hemochromatosis", False, "HP:0001399", ("ORPHA:446",), Evidence.TAS,
                     Aspect.PHENOTYPE)
    assert DiseaseIndex.from_annotations([ann]).lookup("neonatal hemochromatosis") == {"ORPHA:446": "direct"}


@pytest.mark.slow
def test_vendored_index_resolves_both_seed_diseases():
    index = DiseaseIndex.load()
    assert len(index.names) > 12_000
    assert index.lookup("Neonatal hemochromatosis") == {"ORPHA:446": "direct", "OMIM:231100": "inverted"}


@given(st.text(max_size=80))
def test_resolution_never_raises(name):
    r = resolve_name(DiseaseName(name), INDEX)
    assert r.status in ("resolved", "ambiguous", "unresolved")
