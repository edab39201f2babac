"""Disease-disease similarity as RDF: each disease's top-K neighbours as association nodes.

For ``kg build --similar-top K``. Per disease (in ID order) and neighbour (best first, ties by
ID), one node ``rdkg:association/similarity/<16 hex of sha256(method, corpus, subject, object)>``:

    a biolink:Association ; rdf:subject <disease> ; rdf:predicate biolink:similar_to ;
    rdf:object <neighbour> ; biolink:negated false ;
    rdkgv:similarityScore "0.83"^^xsd:double ; rdkgv:similarityRank 1 ;
    rdkgv:similarityMethod "bma-resnik" ; rdkgv:informationContentCorpus "all" ;
    biolink:primary_knowledge_source infores:rdkg ;
    biolink:knowledge_level "statistical_association" ; biolink:agent_type "data_analysis_pipeline"

plus the direct edge ``<disease> biolink:similar_to <neighbour>`` so that neighbourhoods are one
triple pattern away. Scores are rounded to 6 decimals; the same inputs give the same triples.
The ranking is symmetric set similarity (default BMA over Resnik), not the patient-oriented
calibrated score, because it relates two diseases rather than a patient to a disease.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.curie import DEFAULT_BASE
from kg.rdf.hpoa import curie_term
from kg.rdf.iri import mint
from kg.rdf.terms import FALSE, Triple, literal
from kg.rdf.vocab import BIOLINK, INFORES_RDKG, RDF, RDKGV, n3
from kg.similarity.index import SimilarityIndex
from kg.similarity.index import load as load_index
from kg.similarity.pairs import top_neighbours

_TYPE = n3(RDF.type)
_SUBJECT, _PREDICATE, _OBJECT = n3(RDF.subject), n3(RDF.predicate), n3(RDF.object)
_ASSOCIATION = n3(BIOLINK.Association)
_SIMILAR_TO = n3(BIOLINK.similar_to)
_NEGATED = n3(BIOLINK.negated)
_PKS = n3(BIOLINK.primary_knowledge_source)
_RDKG = n3(INFORES_RDKG)
_LEVEL = n3(BIOLINK.knowledge_level)
_AGENT = n3(BIOLINK.agent_type)
_STATISTICAL = literal("statistical_association")
_PIPELINE = literal("data_analysis_pipeline")
_SCORE = n3(RDKGV.similarityScore)
_RANK = n3(RDKGV.similarityRank)
_METHOD = n3(RDKGV.similarityMethod)
_CORPUS = n3(RDKGV.informationContentCorpus)


def method_label(method: str, measure: str) -> str:
    return "simgic" if method == "simgic" else f"{method}-{measure}"


def similarity_triples(k: int, *, index: SimilarityIndex | None = None, hpo_path: Path | str | None = None,
                       hpoa_path: Path | str | None = None, method: str = "bma", measure: str = "resnik",
                       corpus: str = "all", base_iri: str = DEFAULT_BASE) -> Iterator[Triple]:
    """N-Triples terms of each disease's ``k`` most similar diseases (see the module docstring).

    ``index`` defaults to the one prepared from ``hpo_path`` / ``hpoa_path`` (default: the
    vendored release), loaded from the cache when the inputs' sha256 match.
    """
    if index is None:
        index = load_index(hpo_path, hpoa_path)
    label = method_label(method, measure)
    method_literal, corpus_literal = literal(label), literal(corpus)
    terms: dict[str, str] = {}

    def term(curie: str) -> str:
        t = terms.get(curie)
        if t is None:
            t = terms[curie] = curie_term(curie)
        return t

    for disease, neighbours in top_neighbours(index, k, method=method, measure=measure, corpus=corpus):
        s = term(disease)
        for rank, (other, score) in enumerate(neighbours, start=1):
            o = term(other)
            node = "<" + mint("association", "similarity", f"{label}\t{corpus}\t{disease}\t{other}",
                              base_iri=base_iri) + ">"
            yield node, _TYPE, _ASSOCIATION
            yield node, _SUBJECT, s
            yield node, _PREDICATE, _SIMILAR_TO
            yield node, _OBJECT, o
            yield node, _NEGATED, FALSE
            yield node, _SCORE, literal(round(score, 6))
            yield node, _RANK, literal(rank)
            yield node, _METHOD, method_literal
            yield node, _CORPUS, corpus_literal
            yield node, _PKS, _RDKG
            yield node, _LEVEL, _STATISTICAL
            yield node, _AGENT, _PIPELINE
            yield s, _SIMILAR_TO, o
