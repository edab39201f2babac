"""Case report reader: the adult-onset IPH seed and own reports; curated vocabularies checked against the HPO."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.sources import lexicon
from kg.sources.documents import read_document
from kg.sources.measurements import flag_of, parse_reference
from tests.conftest import FIXTURES

DOCS = FIXTURES / "documents"
SEED = "case-report-adult-onset-iph.txt"
EXCLUDED = {"HP:0002829", "HP:0009830", "HP:0001058", "HP:0000988", "HP:0003326", "HP:0100749", "HP:0002027",
            "HP:0000790", "HP:0000093"}


@pytest.fixture(scope="module")
def extraction(doc_extraction):
    return doc_extraction


@pytest.fixture(scope="module")
def iph(seeds, extraction):
    return read_document((seeds / SEED).read_bytes(), source=SEED, extraction=extraction)


def test_seed_is_a_male_case_in_his_fifties(iph):
    c = iph.case
    assert (c.sex, c.age_min, c.age_max) == ("male", 50.0, 59.0)
    assert (c.smoking.status, c.smoking.per_day, c.smoking.years, c.smoking.pack_years) == ("former", 30.0, 30.0, 45.0)


def test_seed_observed_findings(iph):
    observed = {f.hpo_id for f in iph.case.findings if not f.negated}
    # hemoptysis, iron-deficiency anaemia, pulmonary infiltrates, hypoxaemia (PaO2, SpO2), decreased DLCO
    assert {"HP:0002105", "HP:0001891", "HP:0002113", "HP:0012418", "HP:0045051"} <= observed


def test_seed_excluded_findings_are_negated_never_positive(iph):
    findings = iph.case.findings
    negated = {f.hpo_id for f in findings if f.negated}
    assert {"HP:0002829", "HP:0009830", "HP:0000790", "HP:0000093"} <= negated
    for f in findings:
        if f.hpo_id in EXCLUDED and f.section in ("case", "differential"):
            assert f.negated, f


def test_seed_measurements_have_ranges_flags_and_hpo(iph):
    ms = iph.case.measurements
    ranged = [m for m in ms if m.ref_low is not None or m.ref_high is not None]
    assert len(ranged) >= 15
    by = {(m.analyte, m.time_point): m for m in ms}
    assert (by["haemoglobin", "on admission"].flag, by["haemoglobin", "on admission"].hpo_id) == ("low", "HP:0020062")
    assert (by["crp", "on admission"].flag, by["crp", "on admission"].hpo_id) == ("high", "HP:0011227")
    assert by["ldh", "on admission"].hpo_id == "HP:0025435"
    assert by["pao2", "on admission"].hpo_id == "HP:0012418"
    assert by["c3", "on admission"].flag is None  # misprinted range "65-13" flags nothing
    dlco = sorted((m.time_point, m.value) for m in ms if m.analyte == "dlco_pct_pred")
    assert dlco == [("1-year treatment", 30.0), ("1.5-year treatment", 30.7), ("Pre-treatment", 27.1)]
    vitals = {m.analyte: m for m in ms if m.category == "vital-sign"}
    assert vitals["oxygen_saturation"].hpo_id == "HP:0012418" and vitals["oxygen_saturation"].ref_source == "standard"


def test_seed_treatments_with_doses(iph):
    treatments = {t.name: t for t in iph.case.treatments}
    assert set(treatments) == {"methylprednisolone", "prednisolone", "azathioprine", "oxygen", "non-invasive ventilation"}
    pulse = treatments["methylprednisolone"].doses[0]
    assert (pulse.amount, pulse.unit, pulse.per, pulse.route, pulse.duration_value, pulse.regimen) == \
        (1000.0, "mg", "day", "intravenous", 3.0, "pulse")
    aza = treatments["azathioprine"].doses[0]
    assert (aza.amount, aza.per, aza.route) == (100.0, "day", "oral")
    pred = treatments["prednisolone"].doses
    assert pred[0].amount == 50.0 and pred[0].route == "oral" and pred[0].regimen == "taper"
    assert {8.0, 12.0} <= {d.amount for d in pred}
    o2 = treatments["oxygen"].doses[0]
    assert (o2.amount, o2.unit, o2.per, o2.route) == (2.5, "L", "min", "nasal cannula")


def test_seed_diagnosis_and_excluded_differentials(iph):
    dx = iph.case.diagnoses
    suspected = [d for d in dx if d.certainty == "suspected"]
    assert [d.resolution.node for d in suspected] == ["ORPHA:99931"]
    assert iph.resolution.node == "ORPHA:99931"
    excluded = {d.name for d in dx if d.certainty == "excluded"}
    assert {"antineutrophil cytoplasmic antibody associated vasculitis", "immunoglobulin A vasculitis",
            "Goodpasture syndrome (anti-glomerular basement membrane disease)"} <= excluded
    gp = next(d for d in dx if d.name.startswith("Goodpasture"))
    assert gp.resolution.node == "OMIM:233450"
    assert {o.status for o in iph.case.outcomes} >= {"improved", "recurred"}


def test_own_text_report(extraction):
    r = read_document((DOCS / "case-fmf.txt").read_bytes(), source="fmf.txt", extraction=extraction)
    c = r.case
    assert r.disease.name == "Familial Mediterranean fever" and r.resolution.node == "ORPHA:342"
    assert (c.sex, c.age_min, c.smoking.status) == ("female", 34.0, "never")
    assert {"HP:0002829", "HP:0000790"} <= {f.hpo_id for f in c.findings if f.negated}
    assert "HP:0011227" in {f.hpo_id for f in c.findings if not f.negated}
    doses = {t.name: [(d.amount, d.per, d.route) for d in t.doses] for t in c.treatments}
    assert doses == {"colchicine": [(1.0, "day", "oral")], "prednisolone": [(20.0, "day", None)]}
    assert {("Crohn disease", "excluded"), ("Familial Mediterranean fever", "confirmed")} <= \
        {(d.name, d.certainty) for d in c.diagnoses}


def test_own_html_report_sections_in_another_order(extraction):
    r = read_document((DOCS / "case-behcet.html").read_bytes(), source="bs.html", extraction=extraction)
    c = r.case
    assert (c.sex, c.age_min) == ("male", 27.0)
    assert [(t.name, t.doses[0].amount, t.doses[0].route) for t in c.treatments] == [("azathioprine", 150.0, "oral")]
    assert ("Behcet syndrome", "suspected") in {(d.name, d.certainty) for d in c.diagnoses}
    assert {"HP:0001945", "HP:0002829"} <= {f.hpo_id for f in c.findings if f.negated}


def test_text_without_a_patient_is_refused():
    with pytest.raises(InputError, match="no case"):
        read_document(b"DISCUSSION\nThis disease is rare and little is known about it.\n", source="x.txt",
                      kind="case-report")


def test_reference_parsing_and_flags():
    assert parse_reference("4.3-5.7") == (4.3, 5.7, None)
    assert parse_reference("≤0.30") == (None, 0.3, None)
    assert parse_reference("−") == (None, None, "negative")
    assert flag_of(2.4, None, None, 4.3, 5.7, None) == "low"
    assert flag_of(40, "<", None, None, 40, None) == "normal"
    assert flag_of(88, None, None, 65, 13, None) is None


def test_curated_hpo_ids_are_current_terms(hpo):
    ids = {x for a in lexicon.ANALYTES for x in (a.low, a.high, a.positive) if x}
    ids |= {x for v in lexicon.VITAL_SIGNS for x in (v.hpo_low, v.hpo_high) if x}
    ids |= {h for h, _, _ in lexicon.ONSET_CLASSES} | {h for _, h in lexicon.INHERITANCE_MODES}
    for hp_id in sorted(ids):
        assert hpo.resolve(hp_id).reason == "current", hp_id
    assert all(hpo.is_a(h, "HP:0003674") for h, _, _ in lexicon.ONSET_CLASSES)
    assert all(hpo.is_a(h, "HP:0000005") for _, h in lexicon.INHERITANCE_MODES)
