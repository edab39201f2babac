"""RDF side of the pipeline: vocabularies, IRI minting, record -> triple mappings.

Triples are plain tuples of three N-Triples term strings (``<iri>``, ``"lit"^^<dt>``), which
are cheap to make by the million and trivially sortable; ``kg.export`` writes them.
"""
