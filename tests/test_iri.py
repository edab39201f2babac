"""kg.rdf.iri: minted IRIs are deterministic, distinct for distinct keys, and valid for RDF parsers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.curie import DEFAULT_BASE, normalise_base
from kg.errors import CurieError, KgError
from kg.rdf.iri import digest, graph_iri, mint
from kg.rdf.terms import check_iri, iri

ROW_KEY = "OMIM:178550\t\tHP:0002105\tOMIM:178550\tIEA\t\t\t\t\tP"
_SEGMENTS = st.from_regex(r"[a-z][a-z0-9\-]{0,12}", fullmatch=True)
_BASES = st.sampled_from([DEFAULT_BASE, "http://example.net/kg#", "https://a.b/c/d/", "https://例え.jp/グラフ/",
                          "http://localhost:8080/x/"])


def test_documented_form():
    expected = hashlib.sha256(ROW_KEY.encode("utf-8")).hexdigest()[:16]
    assert mint("association", "hpoa", ROW_KEY) == f"https://w3id.org/rdkg/association/hpoa/{expected}"
    assert digest(ROW_KEY) == expected and len(digest(ROW_KEY, 32)) == 32
    assert mint("association", "hpoa", ROW_KEY, base_iri="http://example.net/kg#") == \
        f"http://example.net/kg#association/hpoa/{expected}"
    assert graph_iri("hpoa") == "https://w3id.org/rdkg/graph/hpoa"


def test_stable_across_processes_and_hash_seeds():
    code = ("from kg.rdf.iri import mint, graph_iri; "
            f"print(mint('association', 'hpoa', {ROW_KEY!r})); print(graph_iri('hpo'))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outputs == {mint("association", "hpoa", ROW_KEY) + "\n" + graph_iri("hpo") + "\n"}


@pytest.mark.parametrize(("kind", "source"), [("Association", "hpoa"), ("association", "hpo a"), ("", "hpoa"),
                                              ("association", "../x"), ("1x", "hpoa")])
def test_bad_segments_are_refused(kind, source):
    with pytest.raises(ValueError):
        mint(kind, source, "key")


def test_bad_base_is_a_curie_error():
    with pytest.raises(CurieError):
        mint("association", "hpoa", "key", base_iri="https://a.org/no-slash")
    with pytest.raises(CurieError):
        graph_iri("hpo", base_iri="urn:x:")


def test_iri_term_helper():
    assert iri("https://omim.org/entry/178550") == "<https://omim.org/entry/178550>"
    for bad in ("", "relative/path", "http://a.org/x y", "http://a.org/<x>", 'http://a.org/"x"',
                "http://a.org/%zz", "http://a.org/x#y#z"):
        with pytest.raises(ValueError):
            check_iri(bad)


@settings(max_examples=200, deadline=None)
@given(key=st.text(max_size=200), kind=_SEGMENTS, source=_SEGMENTS, base=_BASES)
def test_minted_iris_are_stable_and_valid(key, kind, source, base):
    minted = mint(kind, source, key, base_iri=base)
    assert minted == mint(kind, source, key, base_iri=base)
    assert minted.startswith(base + kind + "/" + source + "/") and len(minted.rsplit("/", 1)[-1]) == 16
    assert ox.NamedNode(minted).value == minted
    assert check_iri(minted) == minted


@settings(max_examples=100, deadline=None)
@given(keys=st.sets(st.text(max_size=60), min_size=2, max_size=60))
def test_distinct_keys_give_distinct_iris(keys):
    assert len({mint("association", "hpoa", k) for k in keys}) == len(keys)


@settings(max_examples=200, deadline=None)
@given(base=st.text(max_size=30).map(lambda t: "https://" + t))
def test_any_accepted_base_mints_iris_rdf_parsers_accept(base):
    try:
        normalise_base(base)
    except KgError:
        return
    minted = mint("association", "hpoa", "k", base_iri=base)
    assert ox.NamedNode(minted).value == minted
    assert ox.NamedNode(graph_iri("hpoa", base_iri=base)).value.endswith("graph/hpoa")
