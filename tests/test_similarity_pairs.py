"""All disease pairs (streamed .npz matrix), top-K neighbours, and their RDF (--similar-top K)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import rdflib

from kg.errors import InputError
from kg.similarity import index as similarity_index
from kg.similarity.pairs import PAIR_METHODS, PairScorer, top_neighbours, write_all_pairs
from kg.similarity.sets import set_similarity

FIXTURE = Path(__file__).parent / "fixtures" / "similarity"


@pytest.fixture(scope="module")
def ix():
    return similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa")


@pytest.mark.parametrize("method", PAIR_METHODS)
@pytest.mark.parametrize("measure", ["resnik", "lin", "graphic"])
def test_matrix_equals_pairwise_set_similarity(ix, tmp_path, method, measure):
    path = tmp_path / "pairs.npz"
    summary = write_all_pairs(ix, path, method=method, measure=measure, block=3)
    with np.load(path, allow_pickle=False) as data:
        scores, ids, names = data["scores"], data["ids"], data["names"]
        meta = dict(zip(data["meta"][0::2].tolist(), data["meta"][1::2].tolist()))
    assert summary.diseases == len(ids) == ix.n_diseases and scores.shape == (len(ids), len(ids))
    assert scores.dtype == np.float32
    assert ids.tolist() == ix.disease_ids.tolist() and names[1] == "Test pulmonary bleeding disease"
    assert meta["method"] == method and meta["corpus"] == "all" and meta["hpo_version"] == "2025-01-16"
    for i, j in itertools.product(range(len(ids)), repeat=2):
        expected = set_similarity(ix, ix.profile(i), ix.profile(j), method=measure, combine=method)
        assert scores[i, j] == pytest.approx(expected, rel=1e-6, abs=1e-6), (ids[i], ids[j])
    if method != "one-sided":
        assert np.allclose(scores, scores.T, atol=1e-6)


def test_blocks_do_not_change_the_result(ix):
    whole = np.vstack([rows for _, rows in PairScorer(ix, block=256).blocks()])
    pieces = np.vstack([rows for _, rows in PairScorer(ix, block=1).blocks()])
    assert np.array_equal(whole, pieces)


def test_corpus_restricts_rows_and_columns(ix, tmp_path):
    write_all_pairs(ix, tmp_path / "orpha.npz", corpus="orpha")
    with np.load(tmp_path / "orpha.npz") as data:
        assert data["ids"].tolist() == ["ORPHA:1001", "ORPHA:1002", "ORPHA:1003"]
        assert data["scores"].shape == (3, 3)


def test_bad_arguments_are_input_errors(ix, tmp_path):
    with pytest.raises(InputError, match=".npz"):
        write_all_pairs(ix, tmp_path / "pairs.tsv")
    with pytest.raises(InputError, match="pair method"):
        PairScorer(ix, method="calibrated")
    with pytest.raises(InputError, match="at least 1"):
        list(top_neighbours(ix, 0))


def test_top_neighbours_follow_the_matrix(ix):
    scorer = PairScorer(ix)
    matrix = np.vstack([rows for _, rows in scorer.blocks()])
    seen = []
    for disease, neighbours in top_neighbours(ix, 3):
        i = ix.disease_index[disease]
        seen.append(disease)
        assert len(neighbours) == 3 and disease not in [n for n, _ in neighbours]
        scores = [s for _, s in neighbours]
        assert scores == sorted(scores, reverse=True)
        others = np.delete(matrix[i], i)
        assert scores[0] == pytest.approx(float(others.max()))
        assert scores[-1] >= float(np.sort(others)[-3]) - 1e-9
    assert seen == sorted(seen) == ix.disease_ids.tolist()


def test_similarity_triples_are_valid_rdf(ix):
    from kg.rdf.similarity import similarity_triples

    triples = list(similarity_triples(2, index=ix))
    assert triples == list(similarity_triples(2, index=ix))  # deterministic
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
    g = rdflib.Graph().parse(data=text, format="nt")
    assert len(g) == len(triples)  # no duplicates
    rows = list(g.query("""
        PREFIX biolink: <https://w3id.org/biolink/vocab/>
        PREFIX rdkgv: <https://w3id.org/rdkg/vocab/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?s ?o ?score ?rank ?method ?corpus WHERE {
          ?a a biolink:Association ; rdf:subject ?s ; rdf:predicate biolink:similar_to ; rdf:object ?o ;
             rdkgv:similarityScore ?score ; rdkgv:similarityRank ?rank ;
             rdkgv:similarityMethod ?method ; rdkgv:informationContentCorpus ?corpus ;
             biolink:negated false .
          ?s biolink:similar_to ?o .
        } ORDER BY ?s ?rank"""))
    assert len(rows) == 2 * ix.n_diseases
    first = next(r for r in rows if str(r.s) == "https://www.deciphergenomics.org/syndrome/1")
    assert first.score.datatype == rdflib.XSD.double and first.rank.toPython() == 1
    assert (str(first.method), str(first.corpus)) == ("bma-resnik", "all")
    expected = dict(next(n for d, n in top_neighbours(ix, 2) if d == "DECIPHER:1"))
    best_id, best_score = next(iter(expected.items()))
    assert str(first.o).endswith(best_id.split(":")[1]) and first.score.toPython() == pytest.approx(best_score, abs=1e-6)
