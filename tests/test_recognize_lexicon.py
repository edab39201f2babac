"""The recogniser's index: which names go in, their variants, and the on-disk cache."""

from __future__ import annotations

import pickle

import pytest

from kg.errors import KgError, OntologyError
from kg.ontology import MODE_OF_INHERITANCE, ONSET, PHENOTYPIC_ABNORMALITY, Ontology
from kg.recognize import Recognizer
from kg.recognize.lexicon import (
    DEFAULT_OPTIONS,
    DEFAULT_ROOTS,
    FEATURES,
    KEEP_CACHES,
    IndexOptions,
    build,
    inverted,
    load_index,
    name_words,
    variants,
    variants_as_written,
)
from tests.conftest import FIXTURES

SLICE = FIXTURES / "hp-slice.obo"


@pytest.fixture(scope="module")
def slice_onto() -> Ontology:
    return Ontology.load(SLICE, use_cache=False)


@pytest.fixture(scope="module")
def slice_index(slice_onto):
    return build(slice_onto)


def ids(recognizer: Recognizer, text: str) -> set[str]:
    return {m.hpo_id for m in recognizer.annotate(text)}


def test_only_live_terms_under_the_roots_are_indexed(slice_onto, slice_index):
    indexed = {hpo_id for hpo_id, _ in slice_index.terms}
    assert indexed, "nothing indexed from the slice"
    for hpo_id in indexed:
        assert not slice_onto[hpo_id].obsolete
        assert any(slice_onto.is_a(hpo_id, root) for root in DEFAULT_ROOTS)
    assert not indexed & set(DEFAULT_ROOTS), "the roots themselves ('Onset') name nothing"
    severe = next(t.id for t in slice_onto.terms.values() if t.label == "Severe")
    assert severe not in indexed, "clinical modifiers are not phenotypes"


def test_obsolete_terms_and_alt_ids_never_come_out(slice_onto, slice_index):
    """An obsolete term's words name the one term that replaced it, or nothing; never itself."""
    recognizer = Recognizer(slice_index)
    obsolete = [t for t in slice_onto.terms.values() if t.obsolete]
    assert obsolete, "the slice should hold obsolete terms"
    for term in obsolete:
        found = ids(recognizer, term.label.replace("obsolete ", ""))
        assert term.id not in found
        replacement = term.replaced_by[0] if len(term.replaced_by) == 1 else None
        assert found <= {replacement}, (term.id, found)
    # "obsolete Abnormal cardiological findings" (replaced_by HP:0001626): its words name the replacement
    assert ids(recognizer, "Abnormal cardiological findings were noted.") == {"HP:0001626"}
    without = Recognizer(build(slice_onto, IndexOptions(features=tuple(f for f in FEATURES if f != "obsolete-names"))))
    for term in obsolete:
        assert not ids(without, term.label.replace("obsolete ", ""))
    for m in recognizer.annotate("Seizures, epilepsy and autosomal dominant inheritance."):
        assert slice_onto.resolve(m.hpo_id).reason == "current"


def test_related_synonyms_are_an_option(slice_onto, slice_index):
    assert "HP:0001250" in ids(Recognizer(slice_index), "epilepsy")  # RELATED, indexed by default
    assert not ids(Recognizer(build(slice_onto, IndexOptions(scopes=()))), "epilepsy")
    assert "HP:0001250" in ids(Recognizer(build(slice_onto, IndexOptions(scopes=()))), "Epileptic seizures")


def test_unknown_feature_is_an_error():
    with pytest.raises(KgError, match="unknown recogniser feature"):
        IndexOptions(features=("telepathy",))
    assert set(DEFAULT_OPTIONS.features) == set(FEATURES)


def test_ambiguous_non_exact_synonyms_go_to_the_common_ancestor_or_nowhere():
    index = Recognizer.load().index
    # related synonyms of "Abnormality of the spleen" and of a child of it: the parent
    assert index.terms[index.sequences["spleen abnormal"][0]][1] == "Abnormality of the spleen"
    # related synonyms of two unrelated terms (one of them Aplasia cutis congenita of scalp): none
    assert "scalp abnormal" not in index.sequences


def test_unknown_root_is_an_error(slice_onto):
    with pytest.raises(KgError, match="HP:9999999"):
        build(slice_onto, IndexOptions(roots=("HP:9999999",)))


def test_name_variants():
    assert inverted(["abnormal", "of", "kidney"]) == ["kidney", "abnormal"]
    assert inverted(["kidney", "hypoplasia"]) == ["hypoplasia", "of", "kidney"]
    assert inverted(["a", "b", "c"]) is None
    assert ["absence", "of", "speech"] in variants(["absent", "speech"], "absent", "absence")
    assert ["impaired", "hearing"] in variants(["hearing", "impairment"], "absent", "absence", "impairment", "impaired")
    assert variants(["hearing", "impairment"], "absent", "absence") == [["impairment", "of", "hearing"]]
    # the words as written follow the keys' decision, even where they differ ("Missing teeth")
    assert variants_as_written(["absent", "tooth"], ["missing", "teeth"], "absent", "absence") == [
        (["tooth", "of", "absent"], ["teeth", "of", "missing"]), (["absence", "of", "tooth"], ["absence", "of", "teeth"])]
    assert name_words("Pre-auricular pit", frozenset({"preauricular"})) == ["Preauricular", "pit"]
    assert name_words("Crohn's disease of the ileum") == ["Crohn", "disease", "of", "ileum"]
    assert name_words("Type A1 brachydactyly") == ["Type", "A1", "brachydactyly"]


def test_index_is_cached_and_a_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    first = load_index(SLICE)
    caches = sorted(tmp_path.glob("recognizer-*.pickle"))
    assert len(caches) == 1
    again = load_index(SLICE)
    assert again.sequences == first.sequences and again.terms == first.terms
    caches[0].write_bytes(b"not a pickle")
    rebuilt = load_index(SLICE)
    assert rebuilt.terms == first.terms
    with open(caches[0], "rb") as handle:
        assert pickle.load(handle).terms == first.terms


def test_old_caches_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    for scopes in ((), ("RELATED",), ("BROAD",), ("NARROW",), ("RELATED", "BROAD")):
        load_index(SLICE, IndexOptions(scopes=scopes))
    assert len(list(tmp_path.glob("recognizer-*.pickle"))) == KEEP_CACHES


def test_missing_ontology_file_is_a_clear_error(tmp_path):
    with pytest.raises(OntologyError, match="not found"):
        load_index(tmp_path / "nope.obo")


@pytest.mark.slow
def test_full_hpo_index_reports_current_ids_with_their_labels(hpo):
    recognizer = Recognizer.load()
    assert recognizer.hpo_version == hpo.version
    for hpo_id, label in recognizer.index.terms:
        assert hpo.resolve(hpo_id).reason == "current", hpo_id
        assert label == hpo.label(hpo_id)
    roots = {hpo_id for hpo_id, _ in recognizer.index.terms
             if not any(hpo.is_a(hpo_id, r) for r in (PHENOTYPIC_ABNORMALITY, MODE_OF_INHERITANCE, ONSET))}
    assert not roots


def test_hpo_labels_written_as_text_come_back_as_their_terms(hpo):
    """GARD symptom tables print HPO labels verbatim, so a label must recognise as its own term
    (or as one on its is_a path): punctuation in names ("Aplasia/Hypoplasia of the thumb",
    "High, narrow palate", "Increased CD4:CD8 ratio") once lost 575 of them. What may still miss
    are lab values ("Unaided visual acuity 0.1 LogMAR"), parenthesised qualifiers and chemical
    names with commas: under 1.5% of the labels."""
    recognizer = Recognizer.load()
    labels = [(t.id, t.label) for t in hpo.live_terms()
              if t.id != PHENOTYPIC_ABNORMALITY and hpo.is_a(t.id, PHENOTYPIC_ABNORMALITY)]
    missed = []
    for hpo_id, label in labels:
        whole = [m.hpo_id for m in recognizer.annotate(label) if m.start == 0 and m.end == len(label)]
        if not any(h == hpo_id or hpo.is_a(h, hpo_id) or hpo.is_a(hpo_id, h) for h in whole):
            missed.append(label)
    assert len(labels) > 15_000
    assert len(missed) < 0.015 * len(labels), missed[:20]
    plain = [label for label in missed if all(c.isalpha() or c in " -'" for c in label)]
    assert len(plain) < 0.002 * len(labels), plain[:20]  # plain-word labels nearly all come back
