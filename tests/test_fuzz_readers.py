"""Property-based tests: random bytes and random mutations of valid inputs, fed to every reader.

A reader may refuse an input only with the project's own error types (``kg.errors.KgError``);
anything else -- a KeyError from a parser, a UnicodeDecodeError, a RecursionError -- is a bug,
because the command line would show it as a traceback instead of one clear line.

The number of examples comes from a hypothesis profile chosen by ``KG_FUZZ_PROFILE``:
``fuzz-ci`` (default, a few dozen per reader, seconds) or ``fuzz`` (10,000 per reader)::

    KG_FUZZ_PROFILE=fuzz python -m pytest -q tests/test_fuzz_readers.py
"""

from __future__ import annotations

import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import manifest
from kg.errors import KgError
from kg.ontology import Ontology
from kg.report import Report
from kg.sources import case_report, documents, gard, hpoa, qa_page
from kg.sources.text import load_text, read_handle
from kg.validate import load_store
from tests.conftest import FIXTURES

_COMMON = {"deadline": None, "derandomize": False, "print_blob": True,
               "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("fuzz-ci", max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "30")), **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("KG_FUZZ_PROFILE", "fuzz-ci"))

HPOA_VALID = (FIXTURES / "mini.hpoa").read_bytes()
OBO_VALID = (FIXTURES / "hp-slice.obo").read_bytes()
DOCUMENTS_VALID = sorted((FIXTURES / "documents").glob("[gqc]*.*"))
RECORD_VALID = sorted((Path(__file__).resolve().parents[1] / "data" / "documents").glob("*.json"))
MANIFEST_VALID = (Path(__file__).resolve().parents[1] / "data" / "manifest.json").read_bytes()
TURTLE_VALID = b"""@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix OMIM: <https://omim.org/entry/> .
OMIM:610001 a biolink:Disease ; <http://www.w3.org/2000/01/rdf-schema#label> "Test syndrome"@en ;
    biolink:has_phenotype <http://purl.obolibrary.org/obo/HP_0001250> .
"""


@st.composite
def mutated(draw, valid: bytes) -> bytes:
    """A valid input with a few random edits: delete, insert, overwrite, duplicate or cut."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "overwrite", "duplicate-line", "truncate", "byte"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32) | st.sampled_from(
                [b"\t", b"\n", b"\r\n", b"\x00", b"\xff\xfe", b"<", b">", b"&#0;", b"\"", b"[Term]\n", b"NOT",
                 b"HP:", b"%", b"/", b"\xe9", b"\xc3", b"{", b"}", b"\\u0000", b"<script>", b"</body>"]))
        elif kind == "overwrite" and data:
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(chunk)] = chunk
        elif kind == "duplicate-line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        elif kind == "truncate":
            del data[at:]
        elif kind == "byte" and data:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


def inputs_like(valid: bytes, max_random: int = 2000):
    return st.binary(max_size=max_random) | mutated(valid)


def _only_kg_errors(call) -> None:
    try:
        call()
    except KgError:
        pass


@lru_cache(maxsize=1)
def _extraction() -> documents.Extraction:
    """The real readers' helpers: the recogniser, ontology and disease index of the vendored HPO."""
    return documents.Extraction.default()


# -- HPO annotations ---------------------------------------------------------------------------------------------

@settings(PROFILE)
@given(inputs_like(HPOA_VALID))
def test_hpoa_reader(raw):
    ontology = _slice()
    _only_kg_errors(lambda: list(hpoa.read(io.BytesIO(raw), path="fuzz.hpoa", report=Report(), ontology=ontology)))
    _only_kg_errors(lambda: list(hpoa.read(raw.decode("latin-1").splitlines(keepends=True), path="fuzz.hpoa",
                                           report=Report())))


@lru_cache(maxsize=1)
def _slice() -> Ontology:
    return Ontology.load(FIXTURES / "hp-slice.obo", use_cache=False)


# -- the ontology ------------------------------------------------------------------------------------------------

@settings(PROFILE)
@given(inputs_like(OBO_VALID, max_random=500))
def test_ontology_reader(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hp.obo"
        path.write_bytes(raw)
        _only_kg_errors(lambda: Ontology.load(path, use_cache=False))


# -- documents: decoding, kind detection, the three readers, the recogniser --------------------------------------------

@settings(PROFILE)
@given(st.data())
def test_document_readers(data):
    valid = DOCUMENTS_VALID[data.draw(st.integers(0, len(DOCUMENTS_VALID) - 1))].read_bytes()
    raw = data.draw(inputs_like(valid, max_random=3000))
    extraction = _extraction()
    _only_kg_errors(lambda: documents.read_document(raw, source="fuzz.txt", extraction=extraction, report=Report()))
    for reader in (gard, qa_page, case_report):  # each reader on text that is not of its kind, too
        _only_kg_errors(lambda r=reader: r.read_text(read_handle(io.BytesIO(raw), path="fuzz.txt"), source="fuzz.txt",
                                                     recognizer=extraction.recognizer, ontology=extraction.ontology,
                                                     report=Report()))
    _only_kg_errors(lambda: load_text(raw, path="fuzz.html", media_type="text/html"))


@settings(PROFILE)
@given(st.text(max_size=400) | mutated(b"No seizures, but short stature and a cleft palate were noted in her brother."
                                       ).map(lambda b: b.decode("utf-8", "replace")))
def test_recogniser_never_raises(text):
    mentions = _extraction().recognizer(text)
    for m in mentions:
        assert text[m.start:m.end] == m.text


# -- files of the project's own formats ---------------------------------------------------------------------------------

@settings(PROFILE)
@given(st.data())
def test_extracted_record_reader(data):
    valid = RECORD_VALID[data.draw(st.integers(0, len(RECORD_VALID) - 1))].read_bytes()
    raw = data.draw(inputs_like(valid[:20000] if data.draw(st.booleans()) else valid, max_random=500))
    _only_kg_errors(lambda: documents.loads(raw.decode("utf-8", "replace"), path="fuzz.json"))


@settings(PROFILE)
@given(inputs_like(MANIFEST_VALID, max_random=500))
def test_manifest_reader(raw):
    _only_kg_errors(lambda: manifest.loads(raw, where="fuzz.json"))


@settings(PROFILE)
@given(inputs_like(TURTLE_VALID, max_random=500), st.sampled_from([".ttl", ".nt", ".ttl.gz"]))
def test_graph_file_reader(raw, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("graph" + suffix)
        path.write_bytes(raw)
        _only_kg_errors(lambda: load_store(path))


def test_profile_is_modest_by_default():
    if os.environ.get("KG_FUZZ_PROFILE", "fuzz-ci") == "fuzz-ci":
        assert PROFILE.max_examples <= 100
    else:
        pytest.skip("running the full fuzz profile")
