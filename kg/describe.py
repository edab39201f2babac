"""The dataset description: VoID + DCAT + PAV/PROV, in its own file (``dataset.ttl``).

It is the only graph with a timestamp (``pav:createdOn``; set ``SOURCE_DATE_EPOCH`` for a
reproducible one). It records every input with its version and sha256, the software
version, and the counts a user checks a load against: triples per file, diseases,
associations by class, and class / property partitions.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg import __version__
from kg.curie import DEFAULT_BASE
from kg.rdf.iri import digest, graph_iri
from kg.rdf.terms import XSD_DATE, XSD_DATETIME, Triple, iri, literal
from kg.rdf.vocab import DCAT, DCTERMS, PAV, PROV, RDF, RDFS, RDKGV, VOID, n3

SOFTWARE_IRI = "https://w3id.org/rdkg/software"
HPO_LICENCE = "https://hpo.jax.org/app/license"


@dataclass(frozen=True, slots=True)
class InputDescription:
    """One input file of the build (an ontology, an annotation file, a document)."""

    name: str  # short id, e.g. "hp.obo"
    title: str
    version: str | None
    sha256: str
    source_url: str | None = None
    licence: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class FileDescription:
    graph: str  # hpo, hpoa, documents, ...
    filename: str
    triples: int
    sha256: str
    media_type: str


@dataclass
class DatasetCounts:
    triples: int = 0
    diseases: int = 0
    classes: Counter[str] = field(default_factory=Counter)  # class IRI -> instances
    properties: Counter[str] = field(default_factory=Counter)  # property IRI -> triples


def created_on() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def dataset_triples(*, inputs: list[InputDescription], files: list[FileDescription], counts: DatasetCounts,
                    base_iri: str = DEFAULT_BASE, when: dt.datetime | None = None) -> Iterator[Triple]:
    when = when or created_on()
    a = n3(RDF.type)
    ds = iri(base_iri + "dataset")
    yield ds, a, n3(VOID.Dataset)
    yield ds, a, n3(DCAT.Dataset)
    yield ds, a, n3(PROV.Entity)
    yield ds, n3(DCTERMS.title), literal("rdkg: rare-disease knowledge graph", lang="en")
    yield ds, n3(DCTERMS.description), literal(
        "HPO phenotypes, inheritance and clinical attributes of OMIM, Orphanet and DECIPHER diseases "
        "(HPO annotations), the HPO itself, and facts extracted from rare-disease documents, "
        "as Biolink associations with provenance.", lang="en")
    yield ds, n3(DCTERMS.license), iri(HPO_LICENCE)
    yield ds, n3(PAV.version), literal(__version__)
    yield ds, n3(PAV.createdOn), literal(when.isoformat().replace("+00:00", "Z"), XSD_DATETIME)
    yield ds, n3(DCTERMS.issued), literal(when.date().isoformat(), XSD_DATE)
    yield ds, n3(PAV.createdWith), iri(SOFTWARE_IRI)
    yield iri(SOFTWARE_IRI), a, n3(PROV.SoftwareAgent)
    yield iri(SOFTWARE_IRI), n3(RDFS.label), literal(f"rdkg {__version__}")
    yield iri(SOFTWARE_IRI), n3(PAV.version), literal(__version__)
    yield ds, n3(VOID.triples), literal(counts.triples)
    yield ds, n3(VOID.entities), literal(counts.diseases)
    yield ds, n3(VOID.classes), literal(len(counts.classes))
    yield ds, n3(VOID.properties), literal(len(counts.properties))
    yield ds, n3(VOID.uriSpace), literal(base_iri)
    for item in inputs:
        node = iri(base_iri + "source/" + digest(item.name + item.sha256))
        yield ds, n3(PROV.wasDerivedFrom), node
        yield node, a, n3(PROV.Entity)
        yield node, a, n3(DCAT.Distribution)
        yield node, n3(DCTERMS.title), literal(item.title)
        yield node, n3(DCTERMS.identifier), literal(item.name)
        yield node, n3(RDKGV.sha256), literal(item.sha256)
        if item.version:
            yield node, n3(PAV.version), literal(item.version)
        if item.source_url:
            yield node, n3(DCTERMS.source), iri(item.source_url)
            yield node, n3(PAV.importedFrom), iri(item.source_url)
        if item.licence:
            yield node, n3(DCTERMS.license), iri(item.licence)
    for f in files:
        subset = iri(graph_iri(f.graph, base_iri=base_iri))
        yield ds, n3(VOID.subset), subset
        yield subset, a, n3(VOID.Dataset)
        yield subset, n3(VOID.triples), literal(f.triples)
        yield subset, n3(DCAT.distribution), iri(base_iri + "file/" + f.filename)
        yield iri(base_iri + "file/" + f.filename), a, n3(DCAT.Distribution)
        yield iri(base_iri + "file/" + f.filename), n3(DCTERMS.title), literal(f.filename)
        yield iri(base_iri + "file/" + f.filename), n3(DCAT.mediaType), literal(f.media_type)
        yield iri(base_iri + "file/" + f.filename), n3(RDKGV.sha256), literal(f.sha256)
        yield iri(base_iri + "file/" + f.filename), n3(VOID.triples), literal(f.triples)
    for cls, n in sorted(counts.classes.items()):
        part = iri(base_iri + "dataset/class/" + digest(cls))
        yield ds, n3(VOID.classPartition), part
        yield part, n3(VOID["class"]), iri(cls)
        yield part, n3(VOID.entities), literal(n)
    for prop, n in sorted(counts.properties.items()):
        part = iri(base_iri + "dataset/property/" + digest(prop))
        yield ds, n3(VOID.propertyPartition), part
        yield part, n3(VOID.property), iri(prop)
        yield part, n3(VOID.triples), literal(n)


def count(groups: list[tuple[str, list[tuple[str, str]]]], counts: DatasetCounts) -> None:
    """Add one graph's triple, class and property counts (from the grouped triples) to ``counts``."""
    rdf_type = n3(RDF.type)
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for _, pairs in groups:
        counts.triples += len(pairs)
        for p, o in pairs:
            properties[p] += 1
            if p == rdf_type:
                classes[o] += 1
    for key, n in classes.items():
        counts.classes[key[1:-1]] += n
    for key, n in properties.items():
        counts.properties[key[1:-1]] += n
