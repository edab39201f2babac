"""kg.ontology on a real-format slice of hp.obo (tests/fixtures/hp-slice.obo, 2025-01-16 release).

The slice is cut from the vendored release by tests/fixtures/make_hp_slice.py, stanzas as
written upstream; the expected values below were read off those stanzas by hand.
"""

from __future__ import annotations

import gzip
import pickle

import pytest

from kg.errors import KgError, OntologyError
from kg.model import Term
from kg.ontology import FREQUENCY, ONSET, Ontology
from tests.conftest import FIXTURES

SLICE = FIXTURES / "hp-slice.obo"

SEIZURE = "HP:0001250"
RESPIRATORY_INSUFFICIENCY = "HP:0002093"
RESPIRATORY_INSUFFICIENCY_ALT = "HP:0004893"  # alt_id in the HP:0002093 stanza
HEMOPTYSIS = "HP:0002105"
CARDIOVASCULAR = "HP:0001626"
OBSOLETE_REPLACED = "HP:0003114"  # obsolete Abnormal cardiological findings, replaced_by HP:0001626
OBSOLETE_CONSIDER = "HP:0003295"  # obsolete, only a `consider:` HP:0030339, which is not in the slice
AUTOSOMAL_DOMINANT = "HP:0000006"
NOT_IN_SLICE = "HP:0030339"


@pytest.fixture(scope="module")
def onto(tmp_path_factory) -> Ontology:
    return Ontology.load(SLICE, use_cache=False)


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(directory))
    return directory


def test_slice_loads_with_version_from_header(onto):
    assert len(onto) == 51
    assert onto.version == "2025-01-16"  # from `data-version: hp/releases/2025-01-16`
    assert onto.header["format-version"] == "1.2"
    assert onto.label(HEMOPTYSIS) == "Hemoptysis"
    assert onto.label(NOT_IN_SLICE) is None


def test_term_fields_as_the_stanza_states_them(onto):
    term = onto[AUTOSOMAL_DOMINANT]
    assert term.label == "Autosomal dominant inheritance"
    assert term.definition is not None and term.definition.startswith("A mode of inheritance")
    assert term.parents == ("HP:0034345",)
    assert term.alt_ids == ("HP:0001415", "HP:0001447", "HP:0001448", "HP:0001451", "HP:0001452",
                            "HP:0001455", "HP:0001456", "HP:0001463")
    assert not term.obsolete
    scopes = {(s.scope, s.text) for s in term.synonyms}
    assert ("EXACT", "Autosomal dominant") in scopes
    assert all(s.scope in {"EXACT", "RELATED", "BROAD", "NARROW"} for s in term.synonyms)
    assert onto[RESPIRATORY_INSUFFICIENCY].definition is None  # the stanza has no def: line


def test_obsolete_terms_are_kept_and_marked(onto):
    replaced = onto[OBSOLETE_REPLACED]
    assert replaced.obsolete and replaced.replaced_by == (CARDIOVASCULAR,) and replaced.parents == ()
    dangling = onto[OBSOLETE_CONSIDER]
    assert dangling.obsolete and dangling.replaced_by == () and dangling.consider == (NOT_IN_SLICE,)
    live = [t.id for t in onto.live_terms()]
    assert OBSOLETE_REPLACED not in live and OBSOLETE_CONSIDER not in live
    assert live == sorted(live) and len(live) == 49


@pytest.mark.parametrize(("requested", "current", "reason"), [
    (HEMOPTYSIS, HEMOPTYSIS, "current"),
    (RESPIRATORY_INSUFFICIENCY_ALT, RESPIRATORY_INSUFFICIENCY, "alt_id"),
    ("HP:0003116", CARDIOVASCULAR, "alt_id"),
    (OBSOLETE_REPLACED, CARDIOVASCULAR, "obsolete_replaced"),
    (OBSOLETE_CONSIDER, None, "obsolete"),
    (NOT_IN_SLICE, None, "unknown"),
])
def test_resolve(onto, requested, current, reason):
    resolution = onto.resolve(requested)
    assert (resolution.requested, resolution.current, resolution.reason) == (requested, current, reason)


def test_resolve_follows_a_chain_of_replacements_and_stops_on_a_loop():
    terms = [
        Term("HP:0000001", "All"),
        Term("HP:0000002", "current", parents=("HP:0000001",), alt_ids=("HP:0000009",)),
        Term("HP:0000003", "obsolete a", obsolete=True, replaced_by=("HP:0000004",)),
        Term("HP:0000004", "obsolete b", obsolete=True, replaced_by=("HP:0000002",)),
        Term("HP:0000005", "obsolete loop a", obsolete=True, replaced_by=("HP:0000006",)),
        Term("HP:0000006", "obsolete loop b", obsolete=True, replaced_by=("HP:0000005",)),
    ]
    onto = Ontology(terms, version="test")
    assert onto.resolve("HP:0000003").current == "HP:0000002"
    assert onto.resolve("HP:0000009") == onto.resolve("HP:0000009")
    assert onto.resolve("HP:0000009").current == "HP:0000002"
    assert onto.resolve("HP:0000005").current is None  # terminates


def test_ancestors_and_descendants(onto):
    assert onto.ancestors(HEMOPTYSIS) == {
        HEMOPTYSIS, "HP:0032016", "HP:0012252", "HP:0002795", "HP:0002086", "HP:0000118", "HP:0000001"}
    assert onto.ancestors(HEMOPTYSIS, include_self=False) == onto.ancestors(HEMOPTYSIS) - {HEMOPTYSIS}
    assert onto.ancestors("HP:0003593") == {"HP:0003593", "HP:0410280", ONSET, "HP:0031797", "HP:0012823",
                                            "HP:0000001"}
    assert onto.descendants(FREQUENCY, include_self=False) == {f"HP:004028{i}" for i in range(6)}
    assert onto.descendants("HP:0002795") == {"HP:0002795", RESPIRATORY_INSUFFICIENCY, "HP:0012252",
                                              "HP:0032016", HEMOPTYSIS}
    assert onto.children("HP:0000005") == ("HP:0034345",)
    assert onto.children("HP:0034345") == (AUTOSOMAL_DOMINANT, "HP:0000007", "HP:0001417")
    assert onto.is_a(SEIZURE, "HP:0000118") and not onto.is_a("HP:0000118", SEIZURE)
    # every live term reaches the root; descendants and ancestors are inverse relations
    for term in onto.live_terms():
        assert "HP:0000001" in onto.ancestors(term.id)
        for ancestor in onto.ancestors(term.id):
            assert term.id in onto.descendants(ancestor)


def _obo(tmp_path, stanzas: str, name: str = "mini.obo"):
    path = tmp_path / name
    path.write_text("format-version: 1.2\ndata-version: hp/releases/2099-01-01\n\n" + stanzas, encoding="utf-8")
    return path


def test_is_a_cycle_is_an_ontology_error(tmp_path):
    path = _obo(tmp_path, "[Term]\nid: HP:0000001\nname: All\n\n"
                          "[Term]\nid: HP:0000002\nname: a\nis_a: HP:0000003\n\n"
                          "[Term]\nid: HP:0000003\nname: b\nis_a: HP:0000002\n")
    with pytest.raises(OntologyError, match="cycle") as info:
        Ontology.load(path, use_cache=False)
    assert info.value.path == str(path)
    with pytest.raises(OntologyError, match="cycle"):
        Ontology([Term("HP:0000002", "a", parents=("HP:0000002",))], version=None)


def test_dangling_replaced_by_and_consider_are_kept(tmp_path):
    """Regression: pronto raised a bare KeyError when replaced_by/consider named a term not in the file."""
    path = _obo(tmp_path, "[Term]\nid: HP:0000001\nname: All\n\n"
                          "[Term]\nid: HP:0000002\nname: obsolete x\nis_obsolete: true\n"
                          "replaced_by: HP:0000077\nconsider: HP:0000078\n")
    onto = Ontology.load(path, use_cache=False)
    assert onto["HP:0000002"].replaced_by == ("HP:0000077",)
    assert onto["HP:0000002"].consider == ("HP:0000078",)
    assert onto.resolve("HP:0000002").current is None


@pytest.mark.parametrize("content", [
    b"",
    b"[Term]\nid: HP:0000001\nname: All\n",  # no header
    b"format-version: 1.2\n\n[Term]\nid: HP:0000002\nname: x\nis_a: HP:0009999\n",  # dangling parent
    b"format-version: 1.2\n\n[Term]\nid: GO:0000001\nname: not HPO\n",
    b"format-version: 1.2\n\n[Term\nid: HP:0000001\n",
    b"\x1f\x8b\x08\x00garbage",
])
def test_unusable_files_are_ontology_errors(tmp_path, content):
    path = tmp_path / "bad.obo"
    path.write_bytes(content)
    with pytest.raises(OntologyError):
        Ontology.load(path, use_cache=False)


def test_missing_file(tmp_path):
    with pytest.raises(OntologyError, match="not found"):
        Ontology.load(tmp_path / "nope.obo")


def test_gzipped_slice_gives_the_same_terms(tmp_path, onto):
    path = tmp_path / "hp.obo.gz"
    path.write_bytes(gzip.compress(SLICE.read_bytes()))
    assert Ontology.load(path, use_cache=False).terms == onto.terms
    truncated = tmp_path / "truncated.obo.gz"
    truncated.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(KgError):
        Ontology.load(truncated, use_cache=False)


def test_cache_is_written_used_and_rebuilt_when_corrupt(cache_dir, onto):
    first = Ontology.load(SLICE)
    caches = list(cache_dir.glob("hpo-*.pickle"))
    assert len(caches) == 1 and first.terms == onto.terms
    assert caches[0].name.startswith("hpo-" + first.sha256[:20])
    # the cache is what a second load reads: a marker written into it comes back
    _, header, terms = pickle.loads(caches[0].read_bytes())
    caches[0].write_bytes(pickle.dumps(("from-cache", header, terms)))
    assert Ontology.load(SLICE).version == "from-cache"
    assert Ontology.load(SLICE, use_cache=False).version == "2025-01-16"
    # a corrupt cache is ignored and replaced by a good one
    caches[0].write_bytes(b"not a pickle")
    again = Ontology.load(SLICE)
    assert again.version == "2025-01-16" and again.terms == onto.terms
    assert pickle.loads(caches[0].read_bytes())[0] == "2025-01-16"
    assert not list(cache_dir.glob("*.tmp"))


def test_cache_is_keyed_by_content(cache_dir, tmp_path):
    Ontology.load(SLICE)
    edited = tmp_path / "edited.obo"
    edited.write_text(SLICE.read_text(encoding="utf-8").replace("name: Hemoptysis", "name: Haemoptysis"),
                      encoding="utf-8")
    assert Ontology.load(edited).label(HEMOPTYSIS) == "Haemoptysis"
    assert Ontology.load(SLICE).label(HEMOPTYSIS) == "Hemoptysis"
    assert len(list(cache_dir.glob("hpo-*.pickle"))) == 2


def test_no_cache_written_when_disabled(cache_dir):
    Ontology.load(SLICE, use_cache=False)
    assert not cache_dir.exists() or not list(cache_dir.iterdir())
