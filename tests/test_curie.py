"""kg.curie: the one prefix map, validated CURIEs, their IRIs, and the IRI syntax check."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.curie import (
    DEFAULT_BASE,
    IDENTIFIER_PREFIXES,
    VOCAB_PREFIXES,
    Curie,
    compress,
    converter,
    expand,
    is_curie,
    is_iri,
    normalise_base,
    prefix_map,
)
from kg.errors import CurieError, KgError


def _accepted_by_oxigraph(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


# local parts generated from each prefix's own pattern (ASCII only, as identifiers are)
_LOCALS = {prefix: st.from_regex(re.compile(f"(?:{pattern})", re.ASCII), fullmatch=True)
           for prefix, (_, pattern) in IDENTIFIER_PREFIXES.items()}
_CURIES = st.sampled_from(sorted(IDENTIFIER_PREFIXES)).flatmap(
    lambda prefix: _LOCALS[prefix].map(lambda local: Curie(prefix, local)))


# -- the documented IRI forms ------------------------------------------------------------------------

@pytest.mark.parametrize(("curie", "iri"), [
    ("HP:0002105", "http://purl.obolibrary.org/obo/HP_0002105"),
    ("OMIM:178550", "https://omim.org/entry/178550"),
    ("ORPHA:99931", "http://www.orpha.net/ORDO/Orphanet_99931"),
    ("DECIPHER:16", "https://www.deciphergenomics.org/syndrome/16"),
    ("PMID:31675180", "http://www.ncbi.nlm.nih.gov/pubmed/31675180"),
    ("PMCID:PMC1234567", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567"),
    ("DOI:10.1038/nature12373", "https://doi.org/10.1038/nature12373"),
    ("ECO:0000501", "http://purl.obolibrary.org/obo/ECO_0000501"),
    ("PATO:0000383", "http://purl.obolibrary.org/obo/PATO_0000383"),
    ("ISBN:9780192628961", "urn:isbn:9780192628961"),
    ("infores:hpo-annotations", "https://w3id.org/biolink/infores/hpo-annotations"),
])
def test_expand_and_compress(curie, iri):
    assert expand(curie) == iri == Curie.parse(curie).iri
    assert compress(iri) == curie


@pytest.mark.parametrize(("alias", "canonical"), [
    ("ORPHANET:99931", "ORPHA:99931"), ("ORDO:99931", "ORPHA:99931"), ("PUBMED:123", "PMID:123"),
    ("MIM:178550", "OMIM:178550"), ("omim:178550", "OMIM:178550"), ("hp:0002105", "HP:0002105"),
    (" HP: 0002105 ", "HP:0002105"),
])
def test_aliases_and_case(alias, canonical):
    assert str(Curie.parse(alias)) == canonical


@pytest.mark.parametrize("bad", [
    "HP0002105", "HP:000210", "HP:00021050", "HP:", ":0002105", "XX:1", "OMIM:17855", "ORPHA:abc",
    "PMID:12a", "DOI:11.1000/x", "ISBN:123456789", "ISBN:12345678901", "ISBN:9780192628961X",
    "ISBN:0192628968abc",  # regression: the ISBN alternation was anchored only on its 13-digit branch
    "HP:\u0660\u0660\u0660\u0662\u0661\u0660\u0665",  # regression: "\\d" accepted Arabic-Indic digits
    "OMIM:\uff11\uff17\uff18\uff15\uff15\uff10",  # full-width digits
    "", "   ",
])
def test_bad_curies_raise_curie_error(bad):
    with pytest.raises(CurieError):
        Curie.parse(bad)
    assert not is_curie(bad)
    with pytest.raises(CurieError):
        expand(bad)


def test_non_strings_are_curie_errors():
    for value in (None, 42, b"HP:0002105"):
        with pytest.raises(CurieError):
            Curie.parse(value)  # type: ignore[arg-type]


def test_is_curie_with_prefix():
    assert is_curie("HP:0002105", "HP") and not is_curie("HP:0002105", "OMIM")


def test_curie_is_ordered_hashable_and_frozen():
    a, b = Curie.parse("HP:0000118"), Curie.parse("HP:0002105")
    assert a < b and len({a, Curie.parse("hp:0000118")}) == 1
    with pytest.raises(AttributeError):
        a.local = "0000001"  # type: ignore[misc]


def test_doi_iri_is_percent_encoded_where_an_iri_needs_it():
    curie = Curie.parse("DOI:10.1002/(SICI)1097-4636(199706)35:4<403::AID-JBM1>3.0.CO;2-K")
    assert curie.iri == "https://doi.org/10.1002/(SICI)1097-4636(199706)35:4%3C403::AID-JBM1%3E3.0.CO;2-K"
    assert Curie.parse("DOI:10.1000/100%").iri == "https://doi.org/10.1000/100%25"
    assert _accepted_by_oxigraph(curie.iri)


# -- the prefix map ----------------------------------------------------------------------------------

def test_prefix_map_declares_every_prefix_once_and_binds_the_base():
    mapping = prefix_map()
    assert set(mapping) == set(IDENTIFIER_PREFIXES) | set(VOCAB_PREFIXES) | {"rdkg"}
    assert mapping["rdkg"] == DEFAULT_BASE and list(mapping) == sorted(mapping)
    assert len(set(mapping.values())) == len(mapping)  # no two prefixes for one namespace
    assert all(_accepted_by_oxigraph(ns) for ns in mapping.values())
    assert prefix_map("https://example.net/kg/")["rdkg"] == "https://example.net/kg/"
    assert converter().expand("rdkg:dataset") == DEFAULT_BASE + "dataset"


@pytest.mark.parametrize("base", ["https://w3id.org/rdkg/", "http://example.net/kg#", "https://a.b/c/d/",
                                  "http://localhost:8080/kg/", "https://例え.jp/グラフ/"])
def test_good_bases(base):
    assert normalise_base(base) == base


@pytest.mark.parametrize("base", ["", "w3id.org/rdkg/", "ftp://a.org/", "https://w3id.org/rdkg",
                                  "https://a.org/x y/", "https://a.org/<x>/", "https://a.org/%zz/",
                                  "https://a.org/x#y#", "https:///", "https://a.org/x|y/", "urn:x:/"])
def test_bad_bases_raise_curie_error(base):
    with pytest.raises(CurieError):
        normalise_base(base)


# -- property-based ----------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(_CURIES)
def test_curie_round_trips(curie):
    text = str(curie)
    assert Curie.parse(text) == curie
    assert Curie.parse(text.lower() if curie.prefix in ("HP", "OMIM") else text) == curie
    iri = expand(text)
    assert iri == curie.iri and is_iri(iri) and _accepted_by_oxigraph(iri)
    if iri.endswith(curie.local):  # no %-encoding was needed: the IRI compresses back to the CURIE
        assert compress(iri) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_arbitrary_text_parses_or_raises_curie_error(text):
    try:
        curie = Curie.parse(text)
    except CurieError:
        return
    assert _accepted_by_oxigraph(curie.iri)
    assert Curie.parse(str(curie)) == curie


_IRI_PIECES = st.sampled_from([
    "http:", "https:", "urn:", "//", "/", "a", "Z9", "é", "グ", "%2F", "%", "%g1", "#", "?", "[", "]", ":", "@",
    "::1", "\ue000", "\ufffe", "\U0001f600", " ", "|", "{", "}", "<", ">", "\\", "^", "`", '"', "-", ".", "~",
    "'", "8080", "\x7f", "\x00", "\u00a0",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_IRI_PIECES, st.text(max_size=3)), max_size=10).map("".join))
def test_is_iri_agrees_with_pyoxigraph(text):
    """Whatever is_iri accepts, an RDF parser accepts (and, on these inputs, the other way round)."""
    assert is_iri(text) == _accepted_by_oxigraph(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalise_base_accepts_only_usable_bases(text):
    try:
        base = normalise_base(text)
    except KgError:
        return
    assert base.startswith(("http://", "https://")) and base[-1] in "/#"
    assert _accepted_by_oxigraph(base + "association/hpoa/0123456789abcdef")
