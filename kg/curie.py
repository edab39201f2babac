"""The one prefix map: compact identifiers (CURIEs), their syntax, and their IRIs.

Every output file declares its prefixes from :func:`prefix_map`, and every IRI the mapping
writes for an external identifier comes from :func:`expand`, so headers and data cannot
disagree. The OMIM / Orphanet / DECIPHER IRI forms are settled here once (as Mondo's
mappings and Biolink use them). Built on ``curies.Converter`` -- the field's standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import curies

from kg.errors import CurieError

#: Default base for IRIs the project mints (associations, documents, cases).
DEFAULT_BASE = "https://w3id.org/rdkg/"
#: The project vocabulary is fixed, whatever base instances are minted under.
VOCAB = "https://w3id.org/rdkg/vocab/"

OBO = "http://purl.obolibrary.org/obo/"

#: prefix -> (IRI prefix, pattern of the local part). Identifier prefixes first.
IDENTIFIER_PREFIXES: dict[str, tuple[str, str]] = {
    "HP": (OBO + "HP_", r"\d{7}"),
    "MONDO": (OBO + "MONDO_", r"\d{7}"),
    "ECO": (OBO + "ECO_", r"\d{7}"),
    "PATO": (OBO + "PATO_", r"\d{7}"),
    "MAXO": (OBO + "MAXO_", r"\d{7}"),
    "CHEBI": (OBO + "CHEBI_", r"\d+"),
    "RO": (OBO + "RO_", r"\d{7}"),
    "UBERON": (OBO + "UBERON_", r"\d{7}"),
    "NCIT": (OBO + "NCIT_", r"C\d+"),
    "OMIM": ("https://omim.org/entry/", r"\d{6}"),
    "ORPHA": ("http://www.orpha.net/ORDO/Orphanet_", r"\d+"),
    "DECIPHER": ("https://www.deciphergenomics.org/syndrome/", r"\d+"),
    "GARD": ("https://rarediseases.info.nih.gov/diseases/", r"\d+"),
    "PMID": ("http://www.ncbi.nlm.nih.gov/pubmed/", r"\d+"),
    "PMCID": ("https://www.ncbi.nlm.nih.gov/pmc/articles/", r"PMC\d+"),
    "DOI": ("https://doi.org/", r"10\.\d{4,9}/\S+"),
    "ISBN": ("urn:isbn:", r"[0-9]{9}[0-9X]|[0-9]{13}"),
    "infores": ("https://w3id.org/biolink/infores/", r"[a-z0-9][a-z0-9.\-]*"),
}

#: Vocabulary prefixes declared in every output file.
VOCAB_PREFIXES: dict[str, str] = {
    "biolink": "https://w3id.org/biolink/vocab/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "pav": "http://purl.org/pav/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "IAO": OBO + "IAO_",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "rdkgv": VOCAB,
}

_PATTERNS = {prefix: re.compile(pattern + r"\Z") for prefix, (_, pattern) in IDENTIFIER_PREFIXES.items()}
_ALIASES = {"ORPHANET": "ORPHA", "ORDO": "ORPHA", "PUBMED": "PMID", "MIM": "OMIM", "PMC": "PMCID"}


def normalise_base(base_iri: str) -> str:
    """Check a project base IRI: absolute http(s), ending in '/' or '#'."""
    if not re.match(r"https?://[^\s<>\"{}|\\^`]+[/#]\Z", base_iri):
        raise CurieError(f"base IRI must be an absolute http(s) IRI ending in '/' or '#': {base_iri!r}")
    return base_iri


@lru_cache(maxsize=8)
def prefix_map(base_iri: str = DEFAULT_BASE) -> dict[str, str]:
    """All prefixes an output file may use, with ``rdkg`` bound to the instance base."""
    mapping = {prefix: iri for prefix, (iri, _) in IDENTIFIER_PREFIXES.items()}
    mapping.update(VOCAB_PREFIXES)
    mapping["rdkg"] = normalise_base(base_iri)
    return dict(sorted(mapping.items()))


@lru_cache(maxsize=8)
def converter(base_iri: str = DEFAULT_BASE) -> curies.Converter:
    return curies.Converter.from_prefix_map(prefix_map(base_iri))


@dataclass(frozen=True, slots=True, order=True)
class Curie:
    """A validated compact identifier such as ``HP:0002105`` or ``OMIM:178550``."""

    prefix: str
    local: str

    def __post_init__(self) -> None:
        pattern = _PATTERNS.get(self.prefix)
        if pattern is None:
            raise CurieError(f"unknown prefix {self.prefix!r} in {self.prefix}:{self.local}")
        if not pattern.match(self.local):
            raise CurieError(f"malformed {self.prefix} identifier: {self.prefix}:{self.local}")

    @classmethod
    def parse(cls, text: str) -> "Curie":
        """Parse ``PREFIX:local`` strictly (prefix aliases such as ``ORPHANET`` accepted)."""
        if not isinstance(text, str) or ":" not in text:
            raise CurieError(f"not a CURIE (PREFIX:id): {text!r}")
        prefix, local = text.strip().split(":", 1)
        prefix = _ALIASES.get(prefix.upper(), prefix)
        if prefix not in _PATTERNS and prefix.upper() in _PATTERNS:
            prefix = prefix.upper()
        return cls(prefix, local.strip())

    @property
    def iri(self) -> str:
        return IDENTIFIER_PREFIXES[self.prefix][0] + self.local

    def __str__(self) -> str:
        return f"{self.prefix}:{self.local}"


def is_curie(text: str, prefix: str | None = None) -> bool:
    try:
        curie = Curie.parse(text)
    except CurieError:
        return False
    return prefix is None or curie.prefix == prefix


def expand(curie: str) -> str:
    """IRI of a CURIE, validated; raises :class:`CurieError`."""
    return Curie.parse(curie).iri


def compress(iri: str, base_iri: str = DEFAULT_BASE) -> str | None:
    """CURIE of an IRI when a declared prefix covers it, else None."""
    return converter(base_iri).compress(iri)


def hp_iri(hp_id: str) -> str:
    """Fast path for the hot loop: ``HP:0002105`` -> its OBO PURL (caller has validated it)."""
    return OBO + "HP_" + hp_id[3:]
