"""The recogniser's public call: mentions with offsets, sentences and context, on any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.recognize
from kg.recognize import Context, Mention, Recognizer
from tests.conftest import SEEDS

# Words that exercise every path: names, inflections, triggers, coordinators, glue, abbreviations,
# characters whose lowercase is longer than themselves, and punctuation.
WORDS = ["no", "not", "without", "denies", "but", "however", "mother", "differential", "diagnosis", "of",
         "and", "or", ",", ";", ".", "(", ")", "-", "'s", "the", "a", "A", "anaemia", "iron", "deficiency",
         "seizures", "hypoplastic", "kidneys", "cleft", "lip", "palate", "shortstature", "VSD", "pre-auricular",
         "pits", "absence", "absent", "speech", "hearing", "loss", "sensorineural", "İ", "ß", "é", "\n", "\n\n",
         "e.g.", "Fig.", "type", "A1", "brachydactyly", "coughing", "up", "blood", "ruled", "out", "free"]


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer.load()


def check(text: str, mentions: list[Mention]) -> None:
    assert mentions == sorted(mentions, key=lambda m: (m.start, m.end, m.hpo_id))
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert text[m.sentence_start:m.sentence_start + len(m.sentence)] == m.sentence
        assert m.sentence_start <= m.start and m.end <= m.sentence_start + len(m.sentence)
        assert m.hpo_id.startswith("HP:") and m.label
        assert isinstance(m.negated, bool) and isinstance(m.context, Context)


def test_a_mention_carries_everything_a_reader_needs(recognizer):
    text = "History: no rash. She was coughing up blood."
    mentions = recognizer.annotate(text)
    check(text, mentions)
    rash, blood = mentions
    assert (rash.hpo_id, rash.label, rash.text, rash.negated, rash.context) == \
        ("HP:0000988", "Skin rash", "rash", True, Context.PATIENT)
    assert (blood.hpo_id, blood.label, blood.text, blood.negated) == ("HP:0002105", "Hemoptysis",
                                                                       "coughing up blood", False)
    assert blood.sentence == "She was coughing up blood." and blood.sentence_start == 18


def test_empty_and_blank_texts(recognizer):
    assert recognizer.annotate("") == []
    assert recognizer.annotate(" \n\t ") == []
    assert recognizer.annotate("...;;;") == []


def test_module_level_annotate_uses_the_vendored_hpo():
    assert [m.hpo_id for m in kg.recognize.annotate("Short stature.")] == ["HP:0004322"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_never_raises_and_offsets_stay_inside(recognizer, text):
    for nested in (False, True):
        check(text, recognizer.annotate(text, nested=nested))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([" ", "", "  ", "\t"]))
def test_clinical_word_salad_never_raises(recognizer, words, glue):
    text = glue.join(words)
    for nested in (False, True):
        check(text, recognizer.annotate(text, nested=nested))


def test_seed_documents(recognizer, seeds):
    """The three real documents: offsets slice back, every document yields findings, and the
    case report's negated findings are recorded as such (it lists findings the patient lacked)."""
    counts = {}
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        mentions = recognizer.annotate(text)
        check(text, mentions)
        assert mentions, f"nothing recognised in {path.name}"
        counts[path.name] = (len(mentions), sum(m.negated for m in mentions))
    case_reports = [name for name in counts if name.startswith("case-report")]
    if not case_reports:
        pytest.skip(f"no case report among the seed documents in {SEEDS}")
    assert all(counts[name][1] > 0 for name in case_reports)
