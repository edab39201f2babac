"""rdkg: a rare-disease knowledge graph built from the HPO, its disease annotations and documents.

Data flows one way: sources -> records (``kg.model``) -> RDF (``kg.rdf``) -> files, stores,
queries and similarity.
"""

__version__ = "0.1.0"
