"""Finding names in text: longest match, nesting, word order, coordination, glued words."""

from __future__ import annotations

import pytest

from kg.recognize import Recognizer

HEARING_IMPAIRMENT = "HP:0000365"
SNHL = "HP:0000407"
ANEMIA = "HP:0001903"
IRON_DEFICIENCY_ANEMIA = "HP:0001891"
SHORT_STATURE = "HP:0004322"
CLEFT_PALATE = "HP:0000175"
CLEFT_LIP = "HP:0410030"
SMALL_NAIL = "HP:0001792"
ANONYCHIA = "HP:0001798"
RENAL_HYPOPLASIA = "HP:0000089"
PREAURICULAR_PIT = "HP:0004467"
TRIPHALANGEAL_THUMB = "HP:0001199"
ABNORMAL_THUMB = "HP:0001172"
VSD = "HP:0001629"
HEMOPTYSIS = "HP:0002105"
SEIZURE = "HP:0001250"
ABSENCE_SEIZURE = "HP:0002121"
ABSENT_SPEECH = "HP:0001344"


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer.load()


def found(recognizer: Recognizer, text: str, **kwargs) -> list[tuple[str, str]]:
    mentions = recognizer.annotate(text, **kwargs)
    for m in mentions:
        assert text[m.start:m.end] == m.text
    return [(m.hpo_id, m.text) for m in mentions]


def test_longest_match_wins(recognizer):
    assert found(recognizer, "She has sensorineural hearing loss.") == [(SNHL, "sensorineural hearing loss")]


def test_nested_mentions_are_ancestors_only(recognizer):
    nested = found(recognizer, "She has sensorineural hearing loss.", nested=True)
    assert (HEARING_IMPAIRMENT, "hearing loss") in nested and (SNHL, "sensorineural hearing loss") in nested
    # "arthrogryposis" alone names Arthrogryposis multiplex congenita, not an ancestor of Distal arthrogryposis
    assert [hpo for hpo, _ in found(recognizer, "distal arthrogryposis", nested=True)] == ["HP:0005684"]


def test_overlaps_resolve_the_same_way_every_time(recognizer):
    text = "Bilateral sensorineural hearing loss, anaemia, iron deficiency, and cleft lip and palate."
    first = recognizer.annotate(text, nested=True)
    assert all(recognizer.annotate(text, nested=True) == first for _ in range(3))
    assert first == sorted(first, key=lambda m: (m.start, m.end, m.hpo_id))


@pytest.mark.parametrize("text, hpo_id", [
    ("Anaemia, iron deficiency.", IRON_DEFICIENCY_ANEMIA),  # problem-list inversion
    ("hypoplasia of both kidneys", RENAL_HYPOPLASIA),  # "X of Y" and "Y X"
    ("the kidneys had hypoplastic cortices", None),  # a verb phrase is not a name
    ("the kidneys were hypoplastic", RENAL_HYPOPLASIA),  # but "to be" says the quality (feature predicates)
    ("hypoplastic kidneys", RENAL_HYPOPLASIA),
    ("coughing up blood", HEMOPTYSIS),  # layperson synonym
    ("absence of speech", ABSENT_SPEECH),
    ("absence seizures", ABSENCE_SEIZURE),
])
def test_word_order_and_forms(recognizer, text, hpo_id):
    ids = [h for h, _ in found(recognizer, text)]
    if hpo_id is None:
        assert RENAL_HYPOPLASIA not in ids
    else:
        assert hpo_id in ids


def test_absence_of_a_finding_is_not_a_finding(recognizer):
    mentions = recognizer.annotate("Absence of seizures was noted.")
    assert [(m.hpo_id, m.negated) for m in mentions] == [(SEIZURE, True)]


@pytest.mark.parametrize("text, expected", [
    ("aplastic or hypoplastic nails", {ANONYCHIA, SMALL_NAIL}),
    ("cleft lip and palate", {CLEFT_LIP, CLEFT_PALATE}),
    ("unilateral cleft lip and palate", {"HP:0100333", CLEFT_LIP, CLEFT_PALATE}),
    ("hypoplasia of the radius and ulna", {"HP:0002984", "HP:0003022"}),
    ("palmar and plantar pits", {"HP:0010610", "HP:0010612"}),
])
def test_coordination_shares_heads_and_modifiers(recognizer, text, expected):
    assert {h for h, _ in found(recognizer, text)} == expected


def test_coordination_never_cuts_a_name_in_two(recognizer):
    ids = {h for h, _ in found(recognizer, "Triphalangeal thumb and ear anomalies were noted.")}
    assert TRIPHALANGEAL_THUMB in ids and ABNORMAL_THUMB not in ids


def test_glued_and_hyphenated_words(recognizer):
    assert [h for h, _ in found(recognizer, "shortstature and cleftpalate")] == [SHORT_STATURE, CLEFT_PALATE]
    assert found(recognizer, "pre-auricular pits") == [(PREAURICULAR_PIT, "pre-auricular pits")]
    assert found(recognizer, "X-linked recessive") == [("HP:0001419", "X-linked recessive")]  # not joined


def test_two_glued_names_split_only_when_the_token_is_no_word(recognizer):
    text = "Symptoms include hemoptysisanemia and fatigue."
    assert found(recognizer, text)[:2] == [(HEMOPTYSIS, "hemoptysis"), (ANEMIA, "anemia")]
    assert found(recognizer, "painless swelling") == []  # "pain" + "less", but "painless" is a word
    assert found(recognizer, "feverfew") == []  # "few" is too short a half to trust


@pytest.mark.parametrize("text, hpo_id", [
    ("a limited ability to exercise", "HP:0003546"),  # layperson "Decreased ability to exercise"
    ("an impaired ability to exercise", "HP:0003546"),
    ("reduced muscle tone", "HP:0001252"),  # "Decreased muscle tone"
    ("elevated blood pressure", "HP:0032263"),  # "Increased blood pressure"
])
def test_words_for_less_and_more_meet(recognizer, text, hpo_id):
    assert hpo_id in [h for h, _ in found(recognizer, text)]


@pytest.mark.parametrize("text, expected", [
    ("palmar/plantar pits", {"HP:0010610", "HP:0010612"}),
    ("cleft lip/palate", {CLEFT_LIP, CLEFT_PALATE}),
    ("renal hypoplasia/dysplasia", {RENAL_HYPOPLASIA, "HP:0000110"}),
])
def test_a_slash_coordinates(recognizer, text, expected):
    assert {h for h, _ in found(recognizer, text)} == expected


def test_a_modifier_and_a_head_shared_at_once(recognizer):
    ids = {h for h, _ in found(recognizer, "posterior subcapsular or capsular cataract")}
    assert ids == {"HP:0007787", "HP:0100020"}  # posterior subcapsular / posterior capsular cataract


def test_crossing_names_are_nested_mentions(recognizer):
    text = "a malformed nose with broad bridge"
    assert found(recognizer, text) == [("HP:0000431", "nose with broad bridge")]
    assert found(recognizer, text, nested=True) == [("HP:0000366", "malformed nose"),
                                                    ("HP:0000431", "nose with broad bridge")]


def test_multiple_is_numerous(recognizer):
    assert found(recognizer, "multiple nevi") == [("HP:0001054", "multiple nevi")]


def test_a_shared_head_never_ends_in_a_function_word(recognizer):
    assert found(recognizer, "subcapsular/capsular cataract and glaucoma")[0][1] == "subcapsular/capsular cataract"


def test_laterality_and_severity_words_inside_a_name_are_passed_over(recognizer):
    assert found(recognizer, "a dysplastic left kidney") == [("HP:0000110", "dysplastic left kidney")]
    assert found(recognizer, "hypoplastic left heart") == [("HP:0004383", "hypoplastic left heart")]  # a name
    assert found(recognizer, "severe short stature") == [("HP:0003510", "severe short stature")]  # a name too


def test_developmentally_delayed_is_developmental_delay(recognizer):
    assert ("HP:0001263", "developmentally delayed") in found(recognizer, "developmentally delayed infants")


def test_a_one_word_finding_after_a_comma_is_a_list_not_an_inversion(recognizer):
    assert [h for h, _ in found(recognizer, "seizures, hypotonia.")] == [SEIZURE, "HP:0001252"]


def test_quotes_do_not_break_a_name(recognizer):
    assert found(recognizer, 'so-called "distal" arthrogryposis') == [("HP:0005684", 'distal" arthrogryposis')]


def test_abbreviations_the_text_defines(recognizer):
    text = "She had iron deficiency anaemia (IDA). IDA recurred; no IDA since."
    mentions = recognizer.annotate(text)
    assert [(m.hpo_id, m.text, m.negated) for m in mentions] == [
        (IRON_DEFICIENCY_ANEMIA, "iron deficiency anaemia", False), (IRON_DEFICIENCY_ANEMIA, "IDA", False),
        (IRON_DEFICIENCY_ANEMIA, "IDA", True)]
    assert found(recognizer, "Basal cell carcinomas (BCCs) and more BCCs.")[-1] == ("HP:0002671", "BCCs")
    # defined as something else: the HPO's own abbreviation is not used in this text
    assert found(recognizer, "A ventricular septal defect (VSD) and another VSD.")[-1] == (VSD, "VSD")
    assert found(recognizer, "The vascular study database (VSD) grew. VSD was large.") == []
    # a short form the HPO knows keeps its reading inside its own parentheses
    assert [t for _, t in found(recognizer, "Chronic obstructive pulmonary disease (COPD). COPD.")] == [
        "Chronic obstructive pulmonary disease", "COPD", "COPD"]


def test_abbreviations_match_in_capitals_only(recognizer):
    assert found(recognizer, "A VSD was closed.") == [(VSD, "VSD")]
    assert found(recognizer, "a vsd was closed.") == []
    assert found(recognizer, "ASD") == []  # atrial septal defect or autism spectrum disorder: ambiguous


def test_possessive_and_articles_do_not_block_a_match(recognizer):
    assert found(recognizer, "the patient's short stature") == [(SHORT_STATURE, "short stature")]
    assert found(recognizer, "Crohn's disease") == [("HP:0100280", "Crohn's disease")]
    assert found(recognizer, "abnormality of the kidney") == [("HP:0000077", "abnormality of the kidney")]


# --------------------------------------------------------------------------- third round

ID_SEVERE = "HP:0010864"  # Intellectual disability, severe
ID_PROFOUND = "HP:0002187"  # Intellectual disability, profound
GDD_MILD, GDD_MODERATE = "HP:0011342", "HP:0011343"


@pytest.mark.parametrize("text, expected", [
    # a label with a comma, written as the label is
    ("Diagnosis: intellectual disability, severe.", [(ID_SEVERE, "intellectual disability, severe")]),
    ("Hearing loss, sensorineural, was confirmed.", [(SNHL, "Hearing loss, sensorineural")]),
    # a problem-list inversion whose head is a name of two words
    ("He has mental retardation, profound.", [(ID_PROFOUND, "mental retardation, profound")]),
])
def test_comma_names_and_inverted_phrases(recognizer, text, expected):
    assert found(recognizer, text) == expected


@pytest.mark.parametrize("text, hpo_id", [
    # HPO labels as GARD symptom tables print them: the slash, colon and comma are the text's
    # tokens, so the label must be matched with them
    ("Aplasia/Hypoplasia of the thumb", "HP:0009601"),
    ("Hemiplegia/hemiparesis", "HP:0004374"),
    ("Increased CD4:CD8 ratio", "HP:0033221"),
    ("High, narrow palate", "HP:0002705"),  # "narrow palate" is a name, "High" is not: no list
    ("Small, conical teeth", "HP:0200141"),
    ("Macrocephaly at birth", "HP:0004488"),  # "at birth" is read as "neonatal" in names too
])
def test_labels_with_punctuation_match_as_written(recognizer, text, hpo_id):
    mentions = found(recognizer, text)
    assert (hpo_id, text) in mentions
    assert all(len(span) < len(text) for hpo, span in mentions if hpo != hpo_id)  # the label spans it all


def test_a_name_written_with_its_comma_ends_the_clause(recognizer):
    """"mental retardation, profound" is an HPO synonym; followed by more words, "profound"
    begins the next finding of the list."""
    listed = found(recognizer, "mental retardation, profound speech impairment, and ataxia")
    assert "HP:0002187" not in {hpo for hpo, _ in listed}  # Intellectual disability, profound
    assert ("HP:0002187", "mental retardation, profound") in found(recognizer, "mental retardation, profound.")
    assert ("HP:0002705", "High, narrow palate") in found(recognizer, "High, narrow palate and cleft lip")


@pytest.mark.parametrize("text, expected", [
    ("severe, progressive hearing loss", {"HP:0012714", "HP:0001730"}),  # severe and progressive
    ("small, low-set ears", {"HP:0008551", "HP:0000369"}),  # Microtia, Low-set ears
    ("long, thin fingers", {"HP:0100807", "HP:0001238"}),  # Long fingers, Slender finger
])
def test_two_adjectives_with_a_comma_share_the_head(recognizer, text, expected):
    mentions = found(recognizer, text)
    assert {hpo for hpo, span in mentions if span == text} == expected


@pytest.mark.parametrize("text, absent", [
    ("seizures, hypotonia and ataxia", None),  # a list of findings: each its own mention
    ("a positive family history for this disorder, bifid ribs", "HP:0000772"),  # no "abnormal ribs"
])
def test_a_comma_list_of_findings_shares_nothing(recognizer, text, absent):
    mentions = found(recognizer, text)
    assert all("," not in span for _, span in mentions)
    assert absent not in {hpo for hpo, _ in mentions}


def test_a_comma_between_two_names_is_a_list_not_an_inversion(recognizer):
    """HPO has "Cleft lip, cleft palate" (a narrow synonym of Orofacial cleft): a text writing
    "cleft palate, cleft lip" lists two findings."""
    assert found(recognizer, "Among them cleft palate, cleft lip, and ptosis.") == [
        (CLEFT_PALATE, "cleft palate"), (CLEFT_LIP, "cleft lip"), ("HP:0000508", "ptosis")]


def test_a_range_of_severities_gives_both(recognizer):
    text = "She had mild to moderate global developmental delay."
    assert sorted(found(recognizer, text)) == [(GDD_MILD, "mild to moderate global developmental delay"),
                                               (GDD_MODERATE, "mild to moderate global developmental delay")]
    # where HPO has no name with one of the words, the plain name stands in for it
    assert {hpo for hpo, _ in found(recognizer, "moderate to severe hearing loss")} == \
        {HEARING_IMPAIRMENT, "HP:0012714"}
    # "to" between other words is no range
    assert found(recognizer, "She was referred to hearing tests.") == []


@pytest.mark.parametrize("text, hpo_id, span", [
    ("He had episodes of abdominal pain.", "HP:0002574", "episodes of abdominal pain"),  # Episodic abdominal pain
    ("She had hypotonia at birth.", "HP:0001319", "hypotonia at birth"),  # Neonatal hypotonia
    ("He was hypotonic at birth.", "HP:0001319", "hypotonic at birth"),
    ("Psychomotor retardation was noted.", "HP:0001263", "Psychomotor retardation"),  # obsolete HP:0025356
])
def test_courses_births_and_retired_names(recognizer, text, hpo_id, span):
    assert found(recognizer, text) == [(hpo_id, span)]


def test_a_shared_key_goes_to_the_name_written_so_up_to_number(recognizer):
    """"Renal malformation" (Abnormal renal morphology) and "Renal anomaly" (Abnormality of the
    kidney) share a key once malformation and anomaly are one word; the text's plural still
    says which name it wrote, alone or in a coordinated list."""
    assert found(recognizer, "She had renal malformations.") == [("HP:0012210", "renal malformations")]
    assert found(recognizer, "She had renal anomalies.") == [("HP:0000077", "renal anomalies")]
    # and in the other word order: "malformations of the kidney" is "Kidney malformation" reordered
    assert found(recognizer, "She had malformations of the kidney.") == \
        [("HP:0012210", "malformations of the kidney")]
    # in any word order: "Diffuse brain atrophy" (Global brain atrophy), though "Diffuse cerebral
    # atrophy" gives the same words once cerebral and brain are one
    assert found(recognizer, "CT showed diffuse atrophy of the brain.") == \
        [("HP:0002283", "diffuse atrophy of the brain")]
    listed = found(recognizer, "It combines branchial, otic, and renal malformations.")
    assert ("HP:0012210", "branchial, otic, and renal malformations") in listed
    assert "HP:0000077" not in {hpo for hpo, _ in listed}


@pytest.mark.parametrize("text, hpo_id", [
    # "Ear anomaly" (Abnormality of the ear) and "Ear anomalies" (Abnormality of the outer ear) are
    # both exact synonyms: names that differ only in number do not tell terms apart, so the
    # general term wins, as it does for "ear malformations", written as neither
    ("There were ear malformations.", "HP:0000598"),
    ("There were ear anomalies.", "HP:0000598"),
    ("Two impacted teeth were seen.", "HP:0011079"),  # Impacted tooth, not "Multiple impacted teeth"
    ("Atrophy of the brain was seen.", "HP:0012444"),  # Brain atrophy, not its child Cerebral atrophy
])
def test_an_ambiguous_key_goes_to_the_general_term(recognizer, text, hpo_id):
    assert [hpo for hpo, _ in found(recognizer, text)] == [hpo_id]


@pytest.mark.parametrize("text, expected", [
    ("The child was obese, pale and jaundiced.", ["HP:0001513", "HP:0000980", "HP:0000952"]),
    ("He was febrile and tachypnoeic.", ["HP:0001945", "HP:0002789"]),  # British spelling too
    ("febrile seizures", ["HP:0002373"]),  # the name that has the adjective still meets it
    ("a pale optic disc", ["HP:0000543"]),  # Optic disc pallor
])
def test_findings_said_as_adjectives(recognizer, text, expected):
    assert [hpo for hpo, _ in found(recognizer, text)] == expected


def test_a_word_that_says_a_finding_is_absent(recognizer):
    def said(text):
        return [(m.hpo_id, m.text, m.negated) for m in recognizer.annotate(text)]

    assert said("On admission she was afebrile and anicteric.") == [
        ("HP:0001945", "afebrile", True), ("HP:0000952", "anicteric", True)]
    assert said("She was not afebrile.") == [("HP:0001945", "afebrile", False)]  # negated twice
    # it names no longer term: afebrile seizures are seizures without fever, not febrile seizures
    assert said("Afebrile seizures recurred.") == [("HP:0001945", "Afebrile", True), ("HP:0001250", "seizures", False)]


@pytest.mark.parametrize("text, expected", [
    ("It combines anal and renal anomalies.", {"HP:0004378", "HP:0000077"}),  # anal = anus
    ("There was an opacity of the cornea.", {"HP:0007957"}),  # cornea is no plural of "corneum"
    ("She has tonsillar hypertrophy.", {"HP:0030812"}),  # Enlarged tonsils
    ("He had bursts of laughter.", {"HP:0000749"}),  # Paroxysmal bursts of laughter
    ("He had paroxysms of laughter.", {"HP:0000749"}),
    ("The child was deaf.", {HEARING_IMPAIRMENT}),
    ("a short second finger", {"HP:0009536"}),  # Short 2nd finger
    ("occult spina bifida", {"HP:0003298", "HP:0002414"}),  # Spina bifida occulta, nested Spina bifida
])
def test_table_words(recognizer, text, expected):
    assert {hpo for hpo, _ in found(recognizer, text, nested=True)} == expected


def test_a_latin_plural_is_no_adjective(recognizer):
    # "pelvices" is the plural of pelvis, not "pelvic": no Pelvic kidney
    assert "HP:0000125" not in {hpo for hpo, _ in found(recognizer, "Both renal pelvices were dilated.")}


@pytest.mark.parametrize("text", [
    "The gene maps to the short arm of chromosome 1 (1p32).",
    "It lies on the long arm of the X chromosome.",
    "a combination of short arm cytogenetic markers",
])
def test_chromosome_arms_are_no_limbs(recognizer, text):
    assert found(recognizer, text) == []


@pytest.mark.parametrize("text, expected", [
    ("Serum creatine kinase was elevated.", [("HP:0003236", "Serum creatine kinase was elevated")]),
    ("The liver was markedly enlarged.", [("HP:0002240", "liver was markedly enlarged")]),  # Hepatomegaly
    ("Speech was absent.", [("HP:0001344", "Speech was absent")]),  # Absent speech, not a negated speech
    ("Hearing was normal.", []),
    ("The liver was markedly enlarged but not tender.", [("HP:0002240", "liver was markedly enlarged")]),
    ("CK was elevated serum levels", []),  # the quality qualifies what follows
])
def test_a_quality_said_after_what_it_qualifies(recognizer, text, expected):
    assert found(recognizer, text) == expected
    assert not any(m.negated for m in recognizer.annotate(text))


def test_a_quality_denied_after_the_verb_is_an_excluded_finding(recognizer):
    def said(text):
        return [(m.hpo_id, m.text, m.negated) for m in recognizer.annotate(text)]

    assert said("The liver was not enlarged.") == [("HP:0002240", "liver was not enlarged", True)]
    assert said("Creatine kinase was never elevated, but ferritin was raised.") == [
        ("HP:0003236", "Creatine kinase was never elevated", True),
        ("HP:0003281", "ferritin was raised", False)]
    assert said("Speech was not absent.") == [("HP:0001344", "Speech was not absent", True)]


def test_onset_inside_a_name_is_passed_over(recognizer):
    assert ("HP:0005484", "postnatal-onset microcephaly") in found(recognizer, "postnatal-onset microcephaly")
    assert ("HP:0001118", "juvenile-onset cataract") in found(recognizer, "a juvenile-onset cataract")
    assert found(recognizer, "Adult onset") == [("HP:0003581", "Adult onset")]  # at a name's edge it counts


def test_a_name_does_not_end_inside_a_range(recognizer):
    assert "HP:0004601" not in {h for h, _ in found(recognizer, "occult spina bifida at L5-S4")}
    assert ("HP:0004601", "spina bifida occulta at L5") in found(recognizer, "spina bifida occulta at L5.")
    assert ("HP:0004691", "syndactyly of toes 2-3") in found(recognizer, "syndactyly of toes 2-3")


@pytest.mark.parametrize("text, hpo_id", [
    ("low platelets", "HP:0001873"),  # "Low platelet count": Thrombocytopenia
    ("Her platelets were markedly low.", "HP:0001873"),
    ("elevated serum ferritin", "HP:0003281"),
    ("low serum calcium", "HP:0002901"),  # serum = blood = circulating: "Low blood calcium levels"
    ("Reduced plasma cell count", "HP:0025618"),  # a plasma cell is no circulating cell
])
def test_a_measurement_named_without_its_measure_noun(recognizer, text, hpo_id):
    assert [hpo for hpo, _ in found(recognizer, text)] == [hpo_id]


def test_a_database_name_is_no_finding(recognizer):
    assert found(recognizer, "See Online Mendelian Inheritance in Man (OMIM).") == []
    assert found(recognizer, "Mendelian inheritance was shown.") == [("HP:0034345", "Mendelian inheritance")]


def test_the_collecting_system_is_no_collecting(recognizer):
    assert "HP:0030212" not in {hpo for hpo, _ in found(recognizer, "a duplex renal collecting system")}
    assert found(recognizer, "He had a duplicated collecting system.") == \
        [("HP:0000081", "duplicated collecting system")]
    assert found(recognizer, "compulsive collecting") == [("HP:0030212", "collecting")]  # Collectionism


def test_short_arms_of_a_patient_still_are(recognizer):
    assert [hpo for hpo, _ in found(recognizer, "She had short arms and short legs.")] == ["HP:0009824", "HP:0006385"]
