"""Word keys: British spellings, inflections, adjective forms, equivalents, abbreviations."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.recognize.normalize import (
    ABBREVIATION_MARK,
    Normalizer,
    equivalent_words,
    is_abbreviation,
    read_table,
    spell,
    spelling_rules,
    suffix_rules,
)

# A vocabulary standing in for the words of the HPO names (the real one has ~12,000).
VOCABULARY = [
    "Anemia", "Hemorrhage", "Edema", "Esophageal", "Dyspnea", "Hematuria", "Tumor", "Generalized", "Seizure",
    "Abnormality", "Stenosis", "Vertebra", "Phalanx", "Foot", "Disease", "Hypoplasia", "Atrophy", "Ataxia",
    "Kidney", "Renal", "Weakness", "Weak", "Muscle", "Enlarged", "Liver", "Thickened", "Skin", "VSD",
    "Intoeing", "Hypotonia", "Hypotony", "Testis", "Short", "Cafe", "Nevus", "Carcinoma", "Lacrimal",
]
NAMES = ["Hypotonia", "Seizure", "Anemia"]


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer(VOCABULARY, NAMES)


@pytest.mark.parametrize("british, american", [
    ("anaemia", "anemia"), ("haemorrhage", "hemorrhage"), ("oedema", "edema"), ("oesophageal", "esophageal"),
    ("dyspnoea", "dyspnea"), ("haematuria", "hematuria"), ("tumour", "tumor"), ("generalised", "generalized"),
    ("paediatric", "pediatric"), ("foetal", "fetal"), ("coeliac", "celiac"), ("leukaemia", "leukemia"),
    ("ischaemia", "ischemia"), ("centre", "center"), ("sulphate", "sulfate"), ("diarrhoea", "diarrhea"),
    ("lymphoedema", "lymphedema"), ("aetiology", "etiology"), ("behaviour", "behavior"), ("paralysed", "paralyzed"),
    ("lachrymal", "lacrimal"), ("café", "cafe"), ("naevus", "nevus"), ("gynaecomastia", "gynecomastia"),
])
def test_british_and_american_spellings_meet(british, american):
    assert spell(british) == spell(american)


@pytest.mark.parametrize("word", ["four", "hour", "rise", "toe", "aerobic", "oral", "into"])
def test_spelling_rules_leave_ordinary_words_alone(word):
    assert spell(word) == word


@pytest.mark.parametrize("inflected, base", [
    ("seizures", "seizure"), ("abnormalities", "abnormality"), ("stenoses", "stenosis"), ("vertebrae", "vertebra"),
    ("phalanges", "phalanx"), ("feet", "foot"), ("diseases", "disease"), ("testes", "testis"),
    ("carcinomata", "carcinoma"), ("naevi", "nevus"), ("anaemic", "anemia"), ("hypoplastic", "hypoplasia"),
    ("atrophic", "atrophy"), ("ataxic", "ataxia"), ("kidneys", "kidney"),
])
def test_inflections_and_adjectives_take_the_vocabulary_form(norm, inflected, base):
    assert norm.keys(inflected) == norm.keys(base)


def test_latin_plurals_in_ices_take_their_singular():
    norm = Normalizer(["Pelvis", "Pelvic", "Apex", "Cervix"], ())
    assert norm.key("pelvices") == norm.key("pelvis") != norm.key("pelvic")  # not "Pelvic kidney"
    assert norm.key("apices") == norm.key("apex") and norm.key("cervices") == norm.key("cervix")


def test_a_plural_of_a_table_word_takes_the_table_word():
    """"paroxysm" is no word of the HPO names (only "paroxysmal" is), but the equivalence table
    makes it the key of "paroxysmal": its plural must reach it too ("paroxysms of laughter")."""
    norm = Normalizer(["Paroxysmal", "Laughter"], ())
    assert norm.key("paroxysms") == norm.key("paroxysm") == norm.key("paroxysmal")
    assert norm.key("bursts") == norm.key("outbursts") == norm.key("paroxysmal")


def test_a_word_that_is_both_singular_and_a_latin_plural_stays_itself():
    """"cornea" looks like a plural of "corneum" (as in stratum corneum); the table keeps it."""
    norm = Normalizer(["Cornea", "Corneum", "Corneal"], ())
    assert norm.key("cornea") == norm.key("corneal") != norm.key("corneum")


def test_a_singular_meets_a_name_written_only_in_the_plural():
    """HPO writes "Odontogenic keratocysts of the jaw" and never "keratocyst": the text's
    singular still meets it inside a longer name, but a bare "fall" is no "Falls"."""
    norm = Normalizer(["Keratocysts", "Jaw", "Falls"], ["Falls"])
    assert norm.key("keratocyst") == norm.key("keratocysts")
    assert norm.keys("fall")[0] != norm.keys("falls")[0]
    assert norm.keys("jaw") == Normalizer(["Jaw"], ()).keys("jaw")  # a word of the names is left alone


def test_spelled_ordinals_are_numbered_ordinals():
    norm = Normalizer(["2nd", "5th", "Finger"], ())
    assert norm.key("second") == norm.key("2nd") and norm.key("Fifth") == norm.key("5th")


def test_adverbs_take_their_adjective_key(norm):
    wide = Normalizer([*VOCABULARY, "Developmental", "Development", "Ear", "Over"], NAMES)
    assert wide.key("developmentally") == wide.key("developmental")
    assert wide.key("abnormally") == wide.key("abnormal")
    assert wide.key("early") != wide.key("ear")  # a stem under four letters is not trusted
    assert wide.key("overly") != wide.key("over")  # nor one that is a common word
    plain = Normalizer([*VOCABULARY, "Developmental", "Development"], NAMES, adverbs=False)
    assert plain.key("developmentally") != plain.key("developmental")


def test_anatomical_adjectives_meet_their_noun():
    norm = Normalizer(["Abdomen", "Cerebellum", "Cortex", "Sternum", "Pharynx"], ())
    for adjective, noun in (("abdominal", "abdomen"), ("cerebellar", "cerebellum"), ("cortical", "cortex"),
                            ("sternal", "sternum"), ("pharyngeal", "pharynx")):
        assert norm.key(adjective) == norm.key(noun), adjective


def test_a_rewrite_with_two_results_prefers_a_one_word_finding(norm):
    assert norm.keys("hypotonic")[0] == "hypotonia"  # not "hypotony", which is only part of a name


def test_body_part_adjectives_meet_their_noun(norm):
    assert norm.keys("renal") == norm.keys("kidney") == norm.keys("Kidneys")


def test_quantity_words_meet_with_the_quantity_table():
    plain = Normalizer(VOCABULARY, NAMES)
    both = Normalizer([*VOCABULARY, "Decreased", "Increased"], NAMES, ("equivalents.tsv", "quantity.tsv"))
    assert both.key("limited") == both.key("reduced") == both.key("decreased") == both.key("Diminished")
    assert both.key("elevated") == both.key("increased") != both.key("decreased")
    assert plain.key("limited") != plain.key("reduced")
    assert equivalent_words(("quantity.tsv",))["poor"] == "decreased"


def test_quality_nouns_and_verb_forms_meet_only_in_full_keys(norm):
    single_weakness, full_weakness = norm.keys("weakness")
    assert full_weakness == norm.keys("weak")[1]
    assert single_weakness != norm.keys("weak")[0]  # a bare "weak" is not the finding "Weakness"
    assert norm.key("enlarged") == norm.key("enlargement") == norm.key("enlarging") == norm.key("large")
    assert norm.key("thickened") == norm.key("thickening")


def test_a_grouping_stem_never_becomes_a_function_word(norm):
    assert norm.key("intoeing") != norm.key("into")


def test_abbreviations_keep_their_case(norm):
    assert norm.key("VSD") == ABBREVIATION_MARK + "VSD"
    assert norm.key("vsd") != norm.key("VSD")
    assert norm.key("SEIZURES") == norm.key("seizure")  # shouting is not an abbreviation
    assert is_abbreviation("GERD") and not is_abbreviation("Gerd") and not is_abbreviation("A")


def test_numbers_and_alphanumerics_are_their_own_keys(norm):
    assert norm.keys("21") == ("21", "21")
    assert norm.keys("A1") == ("a1", "a1")


def test_the_tables_are_well_formed():
    assert all(isinstance(p, re.Pattern) for p, _ in spelling_rules())
    steps = {rule.step for rule in suffix_rules()}
    assert steps == {"adverb", "plural", "adjective", "quality", "stem"}
    assert all(rule.suffix for rule in suffix_rules())
    equivalents = equivalent_words()
    assert equivalents["renal"] == "kidney"
    assert not set(equivalents) & set(equivalents.values()), "a word is both a variant and a canonical form"
    for name in ("spelling.tsv", "inflection.tsv", "equivalents.tsv", "context.tsv"):
        assert read_table(name), name
    kinds = {row[1] for row in read_table("predicates.tsv")}
    assert kinds == {"copula", "denial", "degree", "clause"}
    assert all(len(row) == 2 for row in read_table("predicates.tsv"))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_keys_never_raise(word):
    norm = Normalizer(VOCABULARY, NAMES)
    single, full = norm.keys(word) if word else ("", "")
    assert isinstance(single, str) and isinstance(full, str)
    assert isinstance(spell(word.lower()), str)
