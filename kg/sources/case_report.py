"""Reader for published case reports (BMJ Case Reports style and similar), text or HTML.

A case report is read as a *case* -- one patient -- and not as a disease: who the patient is
(sex, age band, smoking), what was found and what was explicitly excluded (negated findings
stay negated), measurements with their ranges, every treatment with its doses, the diagnosis
with its certainty, the differentials that were excluded, and the outcome.

Sections come from the usual headings (SUMMARY, BACKGROUND, CASE PRESENTATION, DIFFERENTIAL
DIAGNOSIS, TREATMENT, OUTCOME AND FOLLOW-UP, DISCUSSION, Learning points...). Text copied from
the PDF often loses the CASE PRESENTATION heading, so the first paragraph that introduces a
patient ("A male patient in his 50s presented ...") starts the case wherever it is. In the
background and discussion only sentences about this patient ("our patient", "the patient",
"in our case") count as case facts; the rest is literature.
"""

from __future__ import annotations

import re
from typing import Any

from kg.docrecords import (
    Case,
    Diagnosis,
    DiseaseName,
    Document,
    DocumentRecord,
    Dose,
    Kind,
    Outcome,
    PhenotypeStatement,
    Section,
    Smoking,
    Span,
    Treatment,
)
from kg.errors import InputError
from kg.report import Report
from kg.sources import facts, lexicon, measurements
from kg.sources.text import CleanView, SourceText, sentences, split_list

HEADINGS: tuple[tuple[str, str], ...] = (
    (r"summary|abstract", "summary"),
    (r"background|introduction", "background"),
    (r"case (?:presentation|report|description|history)|presentation", "case"),
    (r"investigations?", "case"),
    (r"differential diagnos[ie]s", "differential"),
    (r"treatment|management|treatment and management", "case"),
    (r"outcome(?: and follow[- ]?up)?|follow[- ]?up", "outcome"),
    (r"discussion", "discussion"),
    (r"conclusions?", "discussion"),
    (r"learning points|key messages", "learning-points"),
    (r"patient[’']s perspective", "perspective"),
    (r"references", "references"),
    (r"acknowledge?ments|contributors|funding|competing interests|provenance.*|patient consent.*|footnotes", "back-matter"),
)
CASE_TOPICS = ("case", "differential", "outcome")  # every sentence is about the patient
MIXED_TOPICS = ("summary", "background", "discussion")  # only sentences about the patient
_PATIENT_REF = re.compile(r"\b(?:our|the|this) (?:patient|case|man|woman|boy|girl)\b|\bin (?:our|this|the present) case\b"
                          r"|\b(?:he|she|his|her)\b|\b(?:a|an) \d{1,3}[- ]year[- ]old\b", re.IGNORECASE)
_CASE_INTRO = re.compile(r"^\s*(?:An?|The|We (?:report|describe|present) (?:the case of )?an?) (?:(\d{1,3})[- ]year[- ]old )?"
                         r"(?:(?:previously healthy|healthy|Japanese|Caucasian|white|black|Asian) )?"
                         r"(male|female|man|woman|boy|girl|gentleman|lady|patient)\b", re.IGNORECASE)


def read_text(src: SourceText, *, source: str, recognizer: facts.Recognizer | None = None, ontology: Any = None,
              report: Report | None = None, retrieved: str | None = None) -> DocumentRecord:
    text = src.text
    report = report if report is not None else Report()
    sections = split_sections(src)
    table_values, table_blocks = measurements.tables(text, 0, len(text), report=report, path=source)
    case_spans = _case_sentences(text, sections, table_blocks)
    if not case_spans:
        raise InputError("no case found: no sentence introduces or describes a patient", path=source)
    disease, _ = _disease(text, sections)

    sex, age_min, age_max, who = _demographics(text, case_spans)
    findings: list[PhenotypeStatement] = []
    if recognizer is None:
        report.warning("documents/no-recogniser", "no concept recogniser: findings in the prose were not read", path=source)
    for topic, s, e in case_spans:
        for p in facts.recognise(recognizer, text, s, e, section=topic):
            if p.context == "patient" or (p.context == "differential" and p.negated):
                findings.append(p)
    vitals = [m for _, s, e in case_spans for m in measurements.vital_signs(text, s, e)]
    all_measurements = _dedupe_measurements(vitals + table_values)
    for m in all_measurements:
        if m.hpo_id and m.flag in ("low", "high", "abnormal"):
            findings.append(PhenotypeStatement(m.hpo_id, _label(ontology, m.hpo_id), m.span, False, "measurement",
                                               "measurement"))
        if m.qualitative == "negative" and m.flag == "normal":
            analyte = measurements.analyte_of(m.name, m.group)
            if analyte is not None and analyte.positive:
                findings.append(PhenotypeStatement(analyte.positive, _label(ontology, analyte.positive), m.span, True,
                                                   "measurement", "measurement"))
    case_diagnoses = diagnoses(text, case_spans, [disease.name, *abbreviations_of(disease)])
    excluded = [d.span for d in case_diagnoses if d.certainty == "excluded"]
    findings = [_within_excluded(p, excluded) for p in findings if _phenotypic(ontology, p.hpo_id)]
    case = Case(span=who or Span(case_spans[0][1], case_spans[0][1], ""), sex=sex, age_min=age_min, age_max=age_max,
                smoking=_smoking(text, case_spans), findings=tuple(sorted(findings, key=lambda p: (p.span.start, p.hpo_id))),
                measurements=tuple(all_measurements), treatments=tuple(case_treatments(text, case_spans)),
                diagnoses=tuple(case_diagnoses),
                outcomes=tuple(_outcomes(text, sections)))
    background = [(s.start, s.end) for s in sections if s.topic in ("summary", "background", "discussion")]
    return DocumentRecord(
        document=Document(source=source, sha256=src.sha256, kind=Kind.CASE_REPORT, media_type=src.media_type,
                          text_sha256=src.text_sha256, text_length=len(text), retrieved=retrieved, encoding=src.encoding),
        disease=disease, sections=tuple(sections),
        prevalence=tuple(p for s, e in background for p in facts.prevalence(text, s, e)),
        case=case)


# -- sections -----------------------------------------------------------------------------------------
def _heading_topic(line: str) -> str | None:
    low = line.strip().lower()
    for pattern, topic in HEADINGS:
        if re.fullmatch(pattern, low):
            return topic
    return None


def split_sections(src: SourceText) -> list[Section]:
    text = src.text
    marks: list[tuple[int, int, str, str]] = []
    candidates = [(h.start, h.end, h.text) for h in src.headings]
    candidates += [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r"^[ \t]*([^\n]{3,40}?)[ \t]*$", text, re.MULTILINE)]
    seen = set()
    for s, e, line in sorted(candidates):
        topic = _heading_topic(line)
        if topic and s not in seen:
            seen.add(s)
            marks.append((s, e, line, topic))
    out: list[Section] = []
    if not marks or marks[0][0] > 0:
        first_end = marks[0][0] if marks else len(text)
        out.append(Section("front-matter", 0, first_end))
    for i, (s, e, line, topic) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        out.append(Section(topic, e, end, line.strip()))
    # the first paragraph introducing a patient starts the case presentation, wherever it is
    result: list[Section] = []
    for sec in out:
        if sec.topic in ("background", "front-matter", "summary") and (sec.topic != "summary" or
                                                                      not any(s.topic == "case" for s in out)):
            intro = next((m for m in re.finditer(r"(?:^|\n[ \t]*\n)([^\n])", text[sec.start:sec.end])
                          if _CASE_INTRO.match(text[sec.start + m.start(1):sec.start + m.start(1) + 120])), None)
            if intro is not None:
                cut = sec.start + intro.start(1)
                result.append(Section(sec.topic, sec.start, cut, sec.heading))
                result.append(Section("case", cut, sec.end, None))
                continue
        result.append(sec)
    return [s for s in result if s.end > s.start]


def _case_sentences(text: str, sections: list[Section], blocks: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(topic, start, end) of every sentence that is about the patient, outside tables and figures."""
    figures = [(m.start(), _paragraph_end(text, m.start())) for m in re.finditer(r"^[ \t]*Figure \d+\b", text, re.MULTILINE)]
    legends = [(m.start(), _paragraph_end(text, m.start())) for b in blocks
               for m in [re.compile(r"[^\n]*", re.MULTILINE).match(text, b[1])] if m]
    skip = blocks + figures + legends
    out = []
    for sec in sections:
        if sec.topic not in CASE_TOPICS + MIXED_TOPICS:
            continue
        for s, e in sentences(text, sec.start, sec.end):
            if any(a <= s < b for a, b in skip):
                continue
            if sec.topic in MIXED_TOPICS and not _PATIENT_REF.search(CleanView.of(text, s, e).clean):
                continue
            out.append((sec.topic, s, e))
    return out


def _paragraph_end(text: str, start: int) -> int:
    m = re.search(r"\n[ \t]*\n", text[start:])
    return start + m.start() if m else len(text)


# -- who --------------------------------------------------------------------------------------------
_SEX = {"male": "male", "man": "male", "boy": "male", "gentleman": "male", "female": "female", "woman": "female",
        "girl": "female", "lady": "female"}


def _demographics(text: str, spans: list[tuple[str, int, int]]) -> tuple[str | None, float | None, float | None, Span | None]:
    for _, s, e in spans:
        view = CleanView.of(text, s, e)
        m = re.search(r"\b(?:an?|the) (?:(?P<age>\d{1,3})[- ]year[- ]old )?(?P<sex>male|female|man|woman|boy|girl|gentleman|lady)"
                      r"(?: patient)?(?: (?:in (?:his|her) (?:(?P<band>early |mid-?|late )?(?P<decade>\d)0s)|aged (?P<aged>\d{1,3})))?",
                      view.clean, re.IGNORECASE)
        if not m:
            continue
        sex = _SEX[m.group("sex").lower()]
        age_min = age_max = None
        if m.group("age") or m.group("aged"):
            age_min = age_max = float(m.group("age") or m.group("aged"))
        elif m.group("decade"):
            age_min, age_max = float(m.group("decade")) * 10, float(m.group("decade")) * 10 + 9
        return sex, age_min, age_max, facts.view_span(text, view, m.start(), m.end())
    return None, None, None, None


def _smoking(text: str, spans: list[tuple[str, int, int]]) -> Smoking | None:
    for _, s, e in spans:
        view = CleanView.of(text, s, e)
        c = view.clean
        if re.search(r"\b(?:never smoked|non-?smoker|never-smoker|did not smoke)\b", c, re.IGNORECASE):
            m = re.search(r"never smoked|non-?smoker|never-smoker|did not smoke", c, re.IGNORECASE)
            assert m is not None
            return Smoking(facts.view_span(text, view, m.start(), m.end()), "never")
        m = re.search(r"smoked (?P<n>\d+) (?:cigarettes|cigarette) (?:a|per) day for (?P<y>\d+) years"
                      r"|(?P<py>\d+(?:\.\d+)?)[- ]pack[- ]years?|\b(?:current|former|ex-?)[- ]?smoker\b", c, re.IGNORECASE)
        if not m:
            continue
        per_day = float(m.group("n")) if m.group("n") else None
        years = float(m.group("y")) if m.group("y") else None
        pack_years = float(m.group("py")) if m.group("py") else (per_day / 20 * years if per_day and years else None)
        former = re.search(r"\buntil\b|\bquit\b|\bstopped\b|\bformer\b|\bex-?smoker|\bprior\b|\bpreviously\b", c, re.IGNORECASE)
        status = "former" if former else "current"
        return Smoking(facts.view_span(text, view, m.start(), m.end()), status, per_day, years, pack_years)
    return None


# -- treatments with doses -------------------------------------------------------------------------------
_DOSE = re.compile(r"(?P<amount>\d+(?:\.\d+)?) ?(?P<unit>mg/kg|mg|g|µg|μg|mcg|mL|L|IU|units?)"
                   r"(?:(?: ?/ ?| per )(?P<per>day|d|dose|week|min|h|hour))?"
                   r"(?: of (?P<of>[a-z]+))?(?: per (?P<per2>day|week|dose))?", re.IGNORECASE)
_ROUTES = ((r"intravenous(?:ly)?|\bi\.?v\.?\b", "intravenous"), (r"\boral(?:ly)?\b|by mouth|\bp\.?o\.?\b", "oral"),
           (r"nasal cannula", "nasal cannula"), (r"inhaled|inhalation", "inhaled"), (r"subcutaneous(?:ly)?", "subcutaneous"),
           (r"intramuscular(?:ly)?", "intramuscular"))


def case_treatments(text: str, spans: list[tuple[str, int, int]]) -> list[Treatment]:
    """Treatments given to the patient, each with every dose step stated; class mentions ("steroids")
    fold into the specific drug of that class the patient received; treatments stated as not given
    ("without antibiotics") are left out."""
    found: list[Treatment] = []
    for _topic, s, e in spans:
        view = CleanView.of(text, s, e)
        hits = facts.treatment_hits(view.clean)
        if not hits:
            continue
        doses = _doses(text, view, hits)
        for h in hits:
            t = facts._treatment(h.entry, facts.view_span(text, view, h.start, h.end), view.clean, h.start)
            if t.negated:
                continue
            t = Treatment(t.name, t.span, t.category, t.identifiers, "treatment", None, False,
                          tuple(d for d, hit in doses if hit is h))
            found.append(t)
    merged = facts.merge_treatments(found)
    given = {t.name for t in merged}
    classes = {e.parent for e in lexicon.TREATMENTS if e.name in given and e.parent}
    out = []
    for t in merged:
        if t.name in classes and not t.doses:
            continue
        out.append(Treatment(t.name, t.span, t.category, t.identifiers, t.purpose, t.population, t.negated,
                             _unique_doses(t.doses), t.mentions))
    return out


def _doses(text: str, view: CleanView, hits: list[facts.Hit]) -> list[tuple[Dose, facts.Hit]]:
    clean = view.clean
    specific = [h for h in hits if h.entry.category in ("drug", "therapy")] or hits
    out = []
    for m in _DOSE.finditer(clean):
        if m.group("unit").lower() == "mg/kg" and any(abs(o.start() - m.start()) < 40 for o in _DOSE.finditer(clean)
                                                       if o.group("unit").lower() == "mg"):
            continue  # "(1 mg/kg/day)" restates the absolute dose next to it
        if m.group("unit") in ("L", "mL") and not m.group("per"):
            continue  # volumes (FEV1 2.37 L, 50 mL of saline) are not doses
        target = None
        if m.group("of"):
            target = next((h for h in specific if clean[h.start:h.end].lower().startswith(m.group("of").lower()[:6])), None)
        if target is None:
            before = [h for h in specific if h.end <= m.start() and m.start() - h.end < 60]
            after = [h for h in specific if h.start >= m.end() and h.start - m.end() < 30]
            target = before[-1] if before else (after[0] if after else None)
        if target is None:
            continue
        per = (m.group("per") or m.group("per2") or "").lower() or None
        per = {"d": "day", "h": "hour"}.get(per or "", per)
        window = clean[max(0, min(target.start, m.start()) - 60):max(target.end, m.end()) + 40].lower()
        route = next((name for pattern, name in _ROUTES if re.search(pattern, window)), None)
        duration = re.match(r"[^.;]{0,25}?\bfor (\d+(?:\.\d+)?) (day|week|month|year)s?", clean[m.end():], re.IGNORECASE)
        regimen = None
        if re.search(r"\bpulse\b", window):
            regimen = "pulse"
        elif re.search(r"taper|gradual(?:ly)? (?:decrease|reduc)|reduced (?:from|to)|gradual decrease", window):
            regimen = "taper"
        elif re.search(r"continu(?:ed|ous)|maintenance", window):
            regimen = "maintenance"
        out.append((Dose(facts.view_span(text, view, m.start(), m.end()), float(m.group("amount")), m.group("unit"),
                         per, route, "daily" if per == "day" else None,
                         float(duration.group(1)) if duration else None,
                         duration.group(2).lower() if duration else None, regimen), target))
    return out


def _unique_doses(doses: tuple[Dose, ...]) -> tuple[Dose, ...]:
    """One dose per (amount, unit, per): later mentions only fill in what the first left open."""
    seen: dict[tuple[Any, ...], Dose] = {}
    for d in doses:
        key = (d.amount, d.unit, d.per)
        if key in seen:
            f = seen[key]
            seen[key] = Dose(f.span, f.amount, f.unit, f.per, f.route or d.route, f.frequency or d.frequency,
                             f.duration_value if f.duration_value is not None else d.duration_value,
                             f.duration_unit or d.duration_unit, f.regimen or d.regimen)
        else:
            seen[key] = d
    return tuple(seen.values())


# -- diagnoses ------------------------------------------------------------------------------------------
_DISEASE_WORD = re.compile(r"(?i:disease|syndrome|vasculitis|itis\b|osis\b|embolism|infarction|stenosis|hypertension|failure|"
                           r"infection|disorder|cancer|carcinoma|tumou?r|bleeding|endocarditis|neoplasm|anaemia|anemia|"
                           r"haemorrhage|hemorrhage|lupus|fever|sclerosis|dystrophy|atrophy|deficiency|pathy\b|emia\b|oma\b|"
                           r"malformation|sarcoidosis)|^[A-Z]{2,5}$")
_NOT_A_NAME = re.compile(r"\b(?:all|patient|other than|that cause|table|figure|detection|abnormality)\b", re.IGNORECASE)
_EXCLUDED = re.compile(r"(?P<list>[^.;:]+?),? (?:which [^,]+, )?(?:were|was) (?:also )?(?:negative|excluded|ruled out|not confirmed"
                       r"|not considered|unlikely)|(?:excluded|ruled out) (?P<obj>[^.;]+)"
                       r"|(?:did not (?:reveal|show|present)|no evidence of|not indicative of|without evidence of)"
                       r" (?:any )?(?:finding |findings |signs? )?(?:indicative )?(?:of )?(?P<obj2>[^.;]+)", re.IGNORECASE)


def abbreviations(text: str) -> dict[str, str]:
    """Every "long form (ABBR)" defined in the text, by the abbreviation (lower-cased)."""
    view = CleanView.of(text)
    out: dict[str, str] = {}
    for m in re.finditer(r"\b((?:[A-Za-z][a-z\-]*)(?: [A-Za-z][a-z\-]*){0,7}) \(([A-Z][A-Za-z0-9]{1,7})\)", view.clean):
        words, abbr = m.group(1).split(), m.group(2)
        letters = [ch for ch in abbr.lower() if ch.isalpha()]
        for k in range(len(words), 0, -1):
            initials = "".join(w[0] for part in words[-k:] for w in part.split("-")).lower()
            if initials == "".join(letters) or "".join(w[0] for w in words[-k:]).lower() == "".join(letters):
                out.setdefault(abbr.lower(), " ".join(words[-k:]))
                break
    return out


def diagnoses(text: str, spans: list[tuple[str, int, int]], names: list[str]) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    abbrev = abbreviations(text)
    abbrev.update({n.lower(): names[0] for n in names})
    for _topic, s, e in spans:
        view = CleanView.of(text, s, e)
        c = view.clean
        for m in re.finditer(r"(?:suspected (?:of|to have)(?: having)?"
                             r"|diagnosed (?:with|as)(?: having)?|diagnosis of) (?:an? )?(?:adult-onset )?"
                             r"(?P<name>[A-Za-z][\w\- ]{1,60}?)(?=[.,;(]| and | in | was| who|$)", c):
            name = m.group("name").strip()
            if _NOT_A_NAME.search(name):
                continue
            certainty = "suspected" if "suspect" in m.group(0).lower() else "confirmed"
            if re.search(r"could not make a definitive|definitive diagnosis", c, re.IGNORECASE) and "diagnosis of" in m.group(0):
                certainty = "suspected"
            out.append(Diagnosis(abbrev.get(name.lower(), name), facts.view_span(text, view, m.start("name"), m.end("name")),
                                 certainty))
        for m in re.finditer(r"(?:^|, )(?P<name>[A-Za-z][\w\- ]{1,40}?) (?:was|were) (?:strongly )?suspected", c):
            name = m.group("name").strip()
            if _NOT_A_NAME.search(name):
                continue
            out.append(Diagnosis(abbrev.get(name.lower(), name),
                                 facts.view_span(text, view, m.start("name"), m.end("name")), "suspected"))
        for m in _EXCLUDED.finditer(c):
            group = "list" if m.group("list") else "obj" if m.group("obj") else "obj2"
            chunk_start = m.start(group)
            chunk = m.group(group)
            lead = re.match(r"(?:.*?\b(?:Based on|According to|Given|Thus|Therefore|Moreover|However|Since|thus|also)\b[^,]*, )+",
                            chunk)
            if lead:
                chunk_start += lead.end()
                chunk = chunk[lead.end():]
            rel = re.search(r",? (?:which|that|who) [^,]*,?", chunk)
            if rel:
                chunk = chunk[:rel.start()]
            for a, b in split_list(re.sub(r" such as ", ", ", chunk)):
                item = re.sub(r" such as ", ", ", chunk)[a:b].strip()
                item = re.sub(r"^(?:the|any|other|all) ", "", item)
                if not item or not _DISEASE_WORD.search(item) or _NOT_A_NAME.search(item) or len(item.split()) > 9:
                    continue
                pos = c.find(item, chunk_start)
                if pos < 0:
                    continue
                out.append(Diagnosis(abbrev.get(item.lower(), item), facts.view_span(text, view, pos, pos + len(item)),
                                     "excluded"))
    uniq: dict[tuple[str, str], Diagnosis] = {}
    for d in out:
        uniq.setdefault((d.name.lower(), d.certainty), d)
    return sorted(uniq.values(), key=lambda d: d.span.start)


def _disease(text: str, sections: list[Section]) -> tuple[DiseaseName, list[str]]:
    """The disease the report is about: the first "Long name (ABBR)" definition, else the title line."""
    view = CleanView.of(text, 0, min(len(text), 6000))
    for abbr, name in abbreviations(text[:6000]).items():
        m = re.search(re.escape(name) + r" \(" + re.escape(abbr) + r"\)", view.clean, re.IGNORECASE)
        if m and _DISEASE_WORD.search(name):
            original = m.group(0)[:len(name)]
            short = m.group(0)[len(name) + 2:-1]
            return DiseaseName(original, facts.view_span(text, view, m.start(), m.start() + len(name)), (), (short,)), [short]
    first = re.search(r"\S[^\n]*", text)
    assert first is not None
    return DiseaseName(first.group(0).strip(), Span(first.start(), first.end(), first.group(0))), []


def _outcomes(text: str, sections: list[Section]) -> list[Outcome]:
    out = []
    for sec in sections:
        if sec.topic != "outcome":
            continue
        view = CleanView.of(text, sec.start, sec.end)
        for status, pattern in (("improved", r"\bimproved\b"), ("recurred", r"\brecurred\b|\brecurrence\b"),
                                ("persisted", r"\bpersisted\b|\bremained\b(?! well)"), ("stable", r"\bremained well\b"), ("resolved", r"\bresolved\b|\bremission\b"),
                                ("died", r"\bdied\b|\bdeath\b"), ("discharged", r"\bdischarged\b")):
            m = re.search(pattern, view.clean, re.IGNORECASE)
            if m:
                out.append(Outcome(status, facts.view_span(text, view, m.start(), m.end())))
    return sorted(out, key=lambda o: o.span.start)


def _dedupe_measurements(items: list[Any]) -> list[Any]:
    seen: dict[tuple[Any, ...], Any] = {}
    for m in items:
        seen.setdefault((m.analyte, m.value, m.qualitative, m.time_point, m.span.start), m)
    return list(seen.values())


def abbreviations_of(disease: DiseaseName) -> list[str]:
    return list(disease.abbreviations)


def _within_excluded(p: PhenotypeStatement, excluded: list[Span]) -> PhenotypeStatement:
    """A term named inside an excluded differential ("excluded heart diseases such as mitral valve
    stenosis") is an excluded finding, whatever the recogniser's negation rules said."""
    if p.negated or p.origin != "text":
        return p
    if any(sp.start <= p.span.start and p.span.end <= sp.end for sp in excluded):
        return PhenotypeStatement(p.hpo_id, p.label, p.span, True, p.origin, p.section, "differential", p.layperson)
    return p


def _phenotypic(ontology: Any, hpo_id: str) -> bool:
    """Only phenotypic abnormalities are findings (the recogniser may also return "Onset" etc.)."""
    return ontology is None or ontology.is_a(hpo_id, "HP:0000118")


def _label(ontology: Any, hpo_id: str) -> str:
    return (ontology.label(hpo_id) if ontology is not None else None) or hpo_id
