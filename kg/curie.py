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
from urllib.parse import quote

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

# Grouped, so an alternation (ISBN-10|ISBN-13) is anchored as a whole; ASCII, so "\\d" is 0-9 only.
_PATTERNS = {prefix: re.compile(f"(?:{pattern})\\Z", re.ASCII)
             for prefix, (_, pattern) in IDENTIFIER_PREFIXES.items()}
_IRI_SAFE_CHARS = "-._~!$&'()*+,;=:@/"
_IRI_SAFE_LOCAL = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*\Z")
_ALIASES = {"ORPHANET": "ORPHA", "ORDO": "ORPHA", "PUBMED": "PMID", "MIM": "OMIM", "PMC": "PMCID"}


def _iri_pattern() -> re.Pattern[str]:
    """RFC 3987 IRI syntax (absolute, optional query and fragment), as strict RDF stores apply it.

    A looser check (say, "no spaces or angle brackets") lets through IRIs such as
    ``http://a.org/%zz`` or ``http://a.org/x#y#z`` that pyoxigraph, rapper and triple stores
    refuse, so one bad reference would make a whole graph file unloadable.
    """
    astral = "".join(f"{chr(plane << 16)}-{chr((plane << 16) | 0xFFFD)}" for plane in range(1, 14))
    ucs = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + astral + "\U000e1000-\U000efffd"
    private = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    pct = "%[0-9A-Fa-f]{2}"
    unreserved = f"A-Za-z0-9\\-._~{ucs}"
    sub_delims = "!$&'()*+,;="
    ipchar = f"(?:[{unreserved}{sub_delims}:@]|{pct})"
    userinfo = f"(?:[{unreserved}{sub_delims}:]|{pct})*@"
    host = f"(?:\\[(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}[0-9A-Fa-f]{{0,4}}\\]|(?:[{unreserved}{sub_delims}]|{pct})*)"
    authority = f"(?:{userinfo})?{host}(?::[0-9]*)?"
    path = f"(?:{ipchar}|/)*"
    query = f"(?:{ipchar}|[/?{private}])*"
    return re.compile(f"[A-Za-z][A-Za-z0-9+.\\-]*:(?://{authority}(?:/{path})?|(?!//){path})"
                      f"(?:\\?{query})?(?:#(?:{ipchar}|[/?])*)?\\Z")


_IRI = _iri_pattern()


def is_iri(text: str) -> bool:
    """True for an absolute IRI in RFC 3987 syntax (what N-Triples/Turtle parsers accept in ``<...>``)."""
    return isinstance(text, str) and _IRI.match(text) is not None


@lru_cache(maxsize=64)
def normalise_base(base_iri: str) -> str:
    """Check a project base IRI: absolute http(s) IRI, ending in '/' or '#'."""
    if not (isinstance(base_iri, str) and re.match(r"https?://[^/?#]", base_iri) and base_iri[-1:] in "/#"
            and is_iri(base_iri) and base_iri.count("#") <= 1):
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
    def parse(cls, text: str) -> Curie:
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
        """The identifier's IRI; what an IRI may not hold (a DOI's ``<``, ``{``, ``%``...) is %-encoded."""
        local = self.local
        if not _IRI_SAFE_LOCAL.match(local):
            local = quote(local, safe=_IRI_SAFE_CHARS)
        return IDENTIFIER_PREFIXES[self.prefix][0] + local

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
