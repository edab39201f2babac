"""The calibrated default ranking, its penalties, explanations, and the acceptance cases.

Calibration and penalties are checked on the small fixture (tests/fixtures/similarity)
against brute-force computations; the acceptance cases (the GARD table of idiopathic
pulmonary hemosiderosis, the seed case report through the recogniser) use the full vendored
HPO and annotations.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kg.errors import InputError
from kg.similarity import index as similarity_index
from kg.similarity import ranking
from kg.similarity.search import Query, disease_query, search
from kg.similarity.sets import resnik_row_max
from tests.conftest import SEEDS

FIXTURE = Path(__file__).parent / "fixtures" / "similarity"
IPH_TABLE = ("HP:0002105", "HP:0001891", "HP:0005828", "HP:0002093", "HP:0002206")


@pytest.fixture(scope="module")
def ix():
    return similarity_index.load(FIXTURE / "hp.obo", FIXTURE / "phenotype.hpoa")


def idx(ix, *terms):
    return np.array([ix.term_index[t] for t in terms], dtype=np.int64)


def test_calibration_is_the_exact_tail_probability(ix):
    """exp(-surprise) of (disease d, closure term a) = P(best match of a random reference term in d
    has IC >= IC(a)), the reference terms weighted by how many diseases are annotated with them."""
    ic = ix.ic("all")
    terms, weights = ranking.reference_weights(ix, "all")
    weights = weights / weights.sum()
    best = resnik_row_max(ix, terms, ic)  # diseases x reference terms
    values = ranking.surprise(ix, "all")
    assert values[-1] == 0.0 and np.all(values >= 0)
    for d in range(ix.n_diseases):
        for k in range(ix.clos_indptr[d], ix.clos_indptr[d + 1]):
            a = ix.clos_indices[k]
            tail = weights[best[d] >= ic[a] - 1e-12].sum()
            assert math.exp(-values[k]) == pytest.approx(tail), (ix.disease_ids[d], ix.term_ids[a])


def test_calibration_is_cached_by_index_key(ix):
    ranking.surprise.cache_clear()
    first = ranking.surprise(ix, "all")
    path = Path(ranking._cache_path(ix, "all"))
    assert path.exists()
    ranking.surprise.cache_clear()
    assert np.array_equal(ranking.surprise(ix, "all"), first)


def test_evidence_is_calibrated_plus_half_raw_ic_strongest_halved(ix):
    q = idx(ix, "HP:0002105", "HP:0001891")
    ev = ranking.evidence(ix, q)
    table = ranking.term_evidence_table(ix, "all")
    surprise = ranking.surprise(ix, "all")
    ic = ix.ic("all")
    d = ix.disease_index["OMIM:600001"]
    for j, t in enumerate(q):
        k = ev.positions[d, j]
        assert ix.clos_indices[k] == t  # exact match: the shared ancestor is the term itself
        assert table[k] == pytest.approx(surprise[k] + ranking.RAW_WEIGHT * ic[t])
    contributions = table[ev.positions[d]]
    # the strongest term counts half
    assert ev.score[d] == pytest.approx(contributions.sum() - ranking.STRONGEST_DISCOUNT * contributions.max())
    # both diseases annotated with both terms lead; the shorter profile is more surprising
    top = ix.disease_ids[np.argsort(-ev.score)[:2]].tolist()
    assert top == ["ORPHA:1001", "OMIM:600001"]


def test_excluded_finding_costs_by_frequency(ix):
    q, ex = idx(ix, "HP:0002105"), idx(ix, "HP:0001891")
    with_ex = ranking.evidence(ix, q, excluded=ex)
    plain = ranking.evidence(ix, q, excluded=ex, options=ranking.Options(excluded=False))
    cost = plain.score - with_ex.score
    d1, o1 = ix.disease_index["OMIM:600001"], ix.disease_index["ORPHA:1001"]
    assert cost[d1] == pytest.approx(-math.log(1 - 0.895))  # very frequent in OMIM:600001
    assert cost[o1] == pytest.approx(-math.log(1 - 0.545))  # frequent in ORPHA:1001
    others = np.setdiff1d(np.arange(ix.n_diseases), [d1, o1])
    assert np.all(cost[others] == 0)
    # an obligate feature excluded costs -ln(FLOOR), not infinity
    ev = ranking.evidence(ix, idx(ix, "HP:0001263"), excluded=idx(ix, "HP:0001250"))
    base = ranking.evidence(ix, idx(ix, "HP:0001263"))
    assert (base.score - ev.score)[ix.disease_index["OMIM:600004"]] == pytest.approx(-math.log(ranking.FLOOR))
    # excluding a general term hits every disease annotated below it (unknown frequency: 0.5)
    resp = ranking.evidence(ix, q, excluded=idx(ix, "HP:0002086"))
    assert (plain.score - resp.score)[ix.disease_index["OMIM:600003"]] == pytest.approx(-math.log(0.5))


def test_not_annotation_counts_against(ix):
    base = ranking.evidence(ix, idx(ix, "HP:0002069"), options=ranking.Options(excluded=False))
    ev = ranking.evidence(ix, idx(ix, "HP:0002069"), explain=True)  # a kind of seizure; OMIM:600002 is NOT seizure
    d = ix.disease_index["OMIM:600002"]
    assert (base.score - ev.score)[d] == pytest.approx(-math.log(ranking.FLOOR))
    assert "annotated NOT HP:0002069" in ev.reasons[d][0]
    assert np.count_nonzero(base.score - ev.score) == 1


def test_onset_mismatch_costs(ix):
    q = idx(ix, "HP:0002105")
    base = ranking.evidence(ix, q)
    adult = ranking.evidence(ix, q, onset=idx(ix, "HP:0003581"))
    cost = dict(zip(ix.disease_ids.tolist(), base.score - adult.score))
    assert cost["OMIM:600001"] == ranking.ONSET_PENALTY  # childhood onset
    assert cost["OMIM:600004"] == ranking.ONSET_PENALTY  # infantile
    assert cost["OMIM:600002"] == cost["OMIM:600003"] == 0  # adult
    assert cost["DECIPHER:1"] == cost["ORPHA:1001"] == 0  # no onset annotated: no information
    # "Pediatric onset" is compatible with its subclasses childhood and infantile onset
    pediatric = ranking.evidence(ix, q, onset=idx(ix, "HP:0410280"))
    assert (base.score - pediatric.score)[ix.disease_index["OMIM:600001"]] == 0
    assert (base.score - pediatric.score)[ix.disease_index["OMIM:600002"]] == ranking.ONSET_PENALTY


def test_frequency_weighting_scales_term_evidence(ix):
    q = idx(ix, "HP:0002105", "HP:0002093")
    base = ranking.evidence(ix, q)
    weighted = ranking.evidence(ix, q, options=ranking.Options(frequency=True))
    d = ix.disease_index["OMIM:600001"]
    assert weighted.term_evidence[d] == pytest.approx(base.term_evidence[d] * [5 / 6, 0.40])


def test_search_explains_matches(ix):
    result = search(ix, Query(("HP:0005828", "HP:0002105", "HP:0004893")), top=3)
    assert "HP:0004893: alt id, using HP:0002093" in result.notes
    top = result.hits[0]
    assert (top.rank, top.disease) == (1, "OMIM:600001")
    assert top.shared == ("HP:0005828", "HP:0002105", "HP:0002093")
    orpha = next(h for h in search(ix, Query(("HP:0005828",)), top=10).hits if h.disease == "ORPHA:1001")
    (m,) = orpha.matches
    # ORPHA:1001 is annotated with the parent, Pulmonary infiltrates: shared ancestor and match
    assert (m.query, m.matched, m.shared) == ("HP:0005828", "HP:0002113", "HP:0002113")
    plain = search(ix, Query(("HP:0005828",)), method="bma", top=10)
    assert plain.method == "bma" and plain.hits[0].matches[0].score > 0


def test_search_query_forms_and_errors(ix):
    q = disease_query(ix, "OMIM:600002")
    assert q.excluded == ("HP:0001250",) and q.onset == ("HP:0003581",)
    result = search(ix, q, skip=("OMIM:600002",))
    assert "OMIM:600002" not in [h.disease for h in result.hits]
    # an onset term among the observed ones is used as onset
    assert search(ix, Query(("HP:0002105", "HP:0003581"))).onset == ("HP:0003581",)
    with pytest.raises(InputError, match="no phenotype annotations"):
        disease_query(ix, "OMIM:600007")
    with pytest.raises(InputError, match="no usable observed"):
        search(ix, Query(("HP:9999999",)))
    with pytest.raises(InputError, match="calibrated ranking is built on Resnik"):
        search(ix, Query(("HP:0002105",)), measure="lin")
    with pytest.raises(InputError, match="unknown method"):
        search(ix, Query(("HP:0002105",)), method="best")


# -- acceptance, on the full vendored data ------------------------------------------------------------
@pytest.fixture(scope="module")
def full():
    return similarity_index.load()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["calibrated", "bma", "funSimAvg"])
def test_gard_iph_table_ranks_omim_178550_first(full, method):
    result = search(full, Query(IPH_TABLE), method=method, top=3)
    assert result.hits[0].disease == "OMIM:178550"
    assert result.hits[0].shared == IPH_TABLE


@pytest.mark.slow
def test_seed_case_report_text_ranks_iph_in_top_ten(full):
    from kg.commands.similar import text_query

    report = SEEDS / "case-report-adult-onset-iph.txt"
    if not report.exists():
        pytest.skip(f"seed case report not found at {report}")
    query, mentions = text_query(report)
    assert "HP:0002105" in query.observed and mentions
    hits = [h.disease for h in search(full, query, top=10).hits]
    assert {"OMIM:178550", "ORPHA:99931"} & set(hits), hits
