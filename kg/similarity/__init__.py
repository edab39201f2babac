"""Phenotype similarity: information content, term and set similarity, disease ranking.

Modules, in the order data flows through them:

* ``index``   -- the HPO and the annotations as arrays, cached by the inputs' sha256;
* ``terms``   -- term measures (Resnik, Lin, Jiang-Conrath, relevance, IC, graph IC);
* ``sets``    -- set combinations of one query against every disease (BMA, funSimAvg,
  funSimMax, one-sided, simGIC);
* ``ranking`` -- the calibrated default diagnostic score, excluded findings, onset;
* ``search``  -- what ``kg similar`` calls: resolve a query, rank, explain the top hits;
* ``pairs``   -- all disease pairs, streamed to .npz, and top-K neighbours (for the graph).

Scores of the measures pyhpo 4.0 and hpo3 1.5 share equal theirs within 1e-6
(tests/test_similarity_peers.py)::

    from kg.similarity import index, search
    ix = index.load()
    result = search.search(ix, search.Query(("HP:0002105", "HP:0001891"), excluded=("HP:0001945",)))
    for hit in result.hits:
        print(hit.rank, hit.disease, hit.name, round(hit.score, 2))
"""
