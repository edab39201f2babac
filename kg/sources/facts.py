"""Fact extractors shared by the document readers: prevalence, onset, inheritance, cause,
treatments, diagnostic procedures, references and the recogniser adapter.

Each works on a slice of the document text through a :class:`~kg.sources.text.CleanView` and
returns records whose spans point into the document text. They are phrase patterns over one
sentence at a time (the wording GARD, Orphanet-style summaries and case reports use), kept
here once so all three readers read a prevalence or a dose the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from kg.curie import Curie
from kg.docrecords import (
    CauseStatement,
    InheritanceStatement,
    OnsetStatement,
    PhenotypeStatement,
    Prevalence,
    Procedure,
    Reference,
    Span,
    Treatment,
)
from kg.errors import CurieError
from kg.sources import lexicon
from kg.sources.text import CleanView, sentences


class Mention(Protocol):
    """What the concept recogniser (kg.recognize) reports per phenotype mention."""

    hpo_id: str
    label: str
    start: int
    end: int
    negated: bool
    context: Any


Recognizer = Callable[[str], Sequence[Any]]


def make_span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def view_span(text: str, view: CleanView, start: int, end: int) -> Span:
    while end > start and view.clean[end - 1].isspace():
        end -= 1
    while start < end and view.clean[start].isspace():
        start += 1
    s, e = view.span(start, end)
    return Span(s, e, text[s:e])


# -- phenotypes through the recogniser ----------------------------------------------------------------
def _context_name(value: Any) -> str:
    value = getattr(value, "value", value)
    return str(value or "patient").lower()


def recognise(recognizer: Recognizer | None, text: str, start: int, end: int, *, section: str,
              origin: str = "text") -> list[PhenotypeStatement]:
    """Run the recogniser over ``text[start:end]`` (cleaned of PDF line breaks) -> statements with
    document offsets. Without a recogniser nothing is returned (the caller reports that)."""
    if recognizer is None or end <= start:
        return []
    view = CleanView.of(text, start, end)
    out = []
    for m in recognizer(view.clean):
        span = view_span(text, view, m.start, m.end)
        out.append(PhenotypeStatement(hpo_id=str(m.hpo_id), label=str(m.label), span=span, negated=bool(m.negated),
                                      origin=origin, section=section, context=_context_name(getattr(m, "context", None))))
    return out


# -- prevalence -----------------------------------------------------------------------------------------
_NUMBER_WORDS = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "hundred": 100,
                 "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_NUM = r"\d+(?:[.,]\d+)?"
_BIGNUM = r"(?:\d{1,3}(?:[, \u2009\u202f]\d{3})+|\d+|(?:one|a|ten|one hundred|a hundred)(?: thousand| million)?|million)"
_PREVALENCE = re.compile(
    r"(?:between |from |about |approximately |around |estimated (?:to be |at )?)?"
    r"(?P<low>" + _NUM + r")(?: ?(?:-|–|to|and) ?(?P<high>" + _NUM + r"))?"
    r"(?P<incidences> (?:new )?(?:cases|incidences?))?(?: (?:in|per|out of|of every|every) (?:every )?(?P<per>" + _BIGNUM + r"))"
    r"(?: (?P<pop>people|individuals|persons|live births|births|newborns|infants|children|adults|men|women|males|females))?",
    re.IGNORECASE)


def _big_number(text: str) -> int | None:
    s = text.lower().strip()
    digits = re.sub(r"[, \u2009\u202f]", "", s)
    if digits.isdigit():
        return int(digits)
    value = 1
    for word in s.split():
        if word not in _NUMBER_WORDS:
            return None
        factor = _NUMBER_WORDS[word]
        value = value * factor if factor >= 100 else factor
    return value


def prevalence(text: str, start: int, end: int) -> list[Prevalence]:
    """Numeric prevalence / incidence statements ("0.24 and 1.26 in one million people", "1 in 25,000")."""
    out = []
    for s, e in sentences(text, start, end):
        view = CleanView.of(text, s, e)
        low_sentence = view.clean.lower()
        if not re.search(r"prevalen|incidence|affect|occur|estimated|frequen|rare|common|births?|newborns?", low_sentence):
            continue
        for m in _PREVALENCE.finditer(view.clean):
            per = _big_number(m.group("per"))
            if per is None or per < 10:
                continue
            try:
                low = float(m.group("low").replace(",", ""))
                high = float(m.group("high").replace(",", "")) if m.group("high") else low
            except ValueError:
                continue
            if high < low or low >= per:
                continue
            pop = (m.group("pop") or "").lower()
            population = "people"
            if re.match(r"(?:live )?births?|newborns?|infants?", pop):
                population = "births" if "birth" in pop else "newborns"
            elif re.match(r"children|adults|men|women|males|females|individuals|persons|people", pop):
                population = pop.split()[0]
            window = low_sentence[max(0, m.start() - 120):m.end() + 40]
            measure = "incidence" if re.search(r"incidence|new cases|annual|each year|per year", window) else "prevalence"
            if population in ("births", "newborns") and measure == "prevalence":
                measure = "birth-prevalence"
            stop = m.end("pop") if m.group("pop") else m.end("per")
            annual = bool(re.search(r"annual|each year|per year|a year", window))
            out.append(Prevalence(view_span(text, view, m.start("low"), stop), measure, low, high, per,
                                  population, annual))
    return out


# -- onset ---------------------------------------------------------------------------------------------
_ONSET_CUE = re.compile(r"\b(?:begin|began|begins|start|starts|appear|appears|onset|develop|develops|present|first)\w*",
                        re.IGNORECASE)
_AGE_RANGE = re.compile(r"(?:between )?(?:the )?ages? (?:of )?(?P<a>\d+(?:\.\d+)?) ?(?:-|–|to|and) ?(?P<b>\d+(?:\.\d+)?) "
                        r"(?P<unit>years?|months?)", re.IGNORECASE)
_AGE_WORDS = re.compile(r"(?:from |in |during |at )(?P<w1>birth|infancy|early childhood|childhood|adolescence|adulthood|middle age)"
                        r"(?: (?:through|to|until|into) (?P<w2>birth|infancy|early childhood|childhood|adolescence|adulthood|middle age))?",
                        re.IGNORECASE)


def covering_onset(lo: float, hi: float) -> str | None:
    """Smallest HPO onset class whose age interval covers [lo, hi]; None when only the root would."""
    best = None
    for hpo_id, a, b in lexicon.ONSET_CLASSES:
        if a <= lo and hi <= b and (best is None or (b - a) < best[1]):
            best = (hpo_id, b - a)
    return best[0] if best else None


def onsets(text: str, start: int, end: int) -> list[OnsetStatement]:
    out = []
    for s, e in sentences(text, start, end):
        view = CleanView.of(text, s, e)
        if not _ONSET_CUE.search(view.clean):
            continue
        for m in _AGE_RANGE.finditer(view.clean):
            scale = 1.0 if m.group("unit").lower().startswith("year") else 1 / 12
            lo, hi = float(m.group("a")) * scale, float(m.group("b")) * scale
            out.append(OnsetStatement(view_span(text, view, m.start(), m.end()), covering_onset(lo, hi), lo, hi))
        for m in _AGE_WORDS.finditer(view.clean):
            w1 = lexicon.ONSET_WORDS[m.group("w1").lower()]
            w2 = lexicon.ONSET_WORDS[m.group("w2").lower()] if m.group("w2") else w1
            lo, hi = min(w1[0], w2[0]), max(w1[1], w2[1])
            out.append(OnsetStatement(view_span(text, view, m.start("w1"), m.end()), covering_onset(lo, hi),
                                      lo, hi if hi < 150 else None))
    return out


# -- inheritance and cause -----------------------------------------------------------------------------
_NOT_INHERITED = re.compile(r"\b(?:is|are) not (?:thought to be |known to be |believed to be |typically |usually )?inherited"
                            r"|\bnot (?:an? )?inherited (?:condition|disease|disorder)|\bis not genetic\b", re.IGNORECASE)
_RISK = re.compile(r"(?P<p>\d+(?:\.\d+)?) ?(?:%|percent) (?:chance|risk|likelihood|probability)"
                   r"|(?:chance|risk|likelihood|probability) (?:of|is|of about|is about) (?P<q>\d+(?:\.\d+)?) ?(?:%|percent)", re.IGNORECASE)


def inheritance(text: str, start: int, end: int, subject_terms: Iterable[str] = ()) -> list[InheritanceStatement]:
    """Modes of inheritance, "not inherited" and recurrence risks stated in sentences."""
    out = []
    for s, e in sentences(text, start, end):
        view = CleanView.of(text, s, e)
        low = view.clean.lower()
        for m in _NOT_INHERITED.finditer(view.clean):
            out.append(InheritanceStatement(view_span(text, view, m.start(), m.end()), inherited=False))
        for m in _RISK.finditer(view.clean):
            value = float(m.group("p") or m.group("q"))
            if 0 < value <= 100 and re.search(r"baby|child|pregnan|sibling|offspring|recur|future|each", low):
                out.append(InheritanceStatement(view_span(text, view, m.start(), m.end()), recurrence_percent=value))
        taken: list[tuple[int, int]] = []
        for pattern, hpo_id in lexicon.INHERITANCE_MODES:
            for m in re.finditer(r"(?<![a-z])" + pattern + r"(?![a-z])", low):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                if not re.search(r"inherit|pattern|manner|trait|transmi", low):
                    continue
                if re.search(r"\bnot\b[^,;]*$", low[:m.start()]) and "not only" not in low:
                    continue
                taken.append((m.start(), m.end()))
                out.append(InheritanceStatement(view_span(text, view, m.start(), m.end()), hpo_id=hpo_id, inherited=True))
    return out


_CAUSE_UNKNOWN = re.compile(r"(?:exact |underlying )?cause (?:of [^.;]*? )?(?:is|are|remains?) (?:currently )?"
                            r"(?:unknown|not (?:well[- ])?(?:understood|known)|unclear|poorly understood)"
                            r"|(?:of|with) unknown (?:cause|a?etiology)|(?:cause|a?etiology) (?:is|remains) unknown"
                            r"|no known cause|not a known cause", re.IGNORECASE)
_CAUSED_BY = re.compile(r"(?P<verb>caused by|due to|results? from|triggered by)"
                        r" (?P<agent>(?:an? |the )?[^,.;()\[]{3,80}?)(?=[,.;(\[]| which| that| and the| but|$)", re.IGNORECASE)
_SUSPECT = re.compile(r"suspect|thought|believed|may|might|could|possibl|likely|hypothes|propos", re.IGNORECASE)


def causes(text: str, start: int, end: int) -> list[CauseStatement]:
    out = []
    for s, e in sentences(text, start, end):
        view = CleanView.of(text, s, e)
        for m in _CAUSE_UNKNOWN.finditer(view.clean):
            out.append(CauseStatement(view_span(text, view, m.start(), m.end()), "unknown"))
        for m in _CAUSED_BY.finditer(view.clean):
            before = view.clean[:m.start()]
            if re.search(r"\b(?:not|no)\b[^,;]*$", before):
                continue
            status = "suspected" if _SUSPECT.search(before) else "known"
            agent = m.group("agent").strip()
            out.append(CauseStatement(view_span(text, view, m.start(), m.end("agent")), status, agent))
    return out


# -- treatments and procedures ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Hit:
    entry: lexicon.TreatmentEntry
    start: int  # offsets into the clean string
    end: int


@lru_cache(maxsize=1)
def _treatment_regex() -> list[tuple[re.Pattern[str], lexicon.TreatmentEntry]]:
    return [(re.compile(r"(?<![a-z0-9])(?:" + p + r")(?![a-z0-9])"), entry)
            for entry in lexicon.TREATMENTS for p in entry.patterns]


def treatment_hits(clean: str) -> list[Hit]:
    """Lexicon matches in a cleaned string: longest match wins, overlaps dropped, in text order."""
    low = clean.lower()
    hits = [Hit(entry, m.start(), m.end()) for rx, entry in _treatment_regex() for m in rx.finditer(low)]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    chosen: list[Hit] = []
    for h in hits:
        if chosen and h.start < chosen[-1].end:
            continue
        chosen.append(h)
    return chosen


_NEG_TREATMENT = re.compile(r"(?:\bwithout(?: the)?(?: administration of| use of)?|\bno history of|\bnever (?:received|had)"
                            r"|\bdid not (?:receive|require|need)|\bno longer required)\s[^.;]*$", re.IGNORECASE)
_PREVENT = re.compile(r"\bprevent|\bprophyla|\bavoid (?:recurrence|having)", re.IGNORECASE)


def treatments(text: str, start: int, end: int, *, bullets: Sequence[tuple[int, int]] = ()) -> list[Treatment]:
    """Treatments named in ``text[start:end]``: every bulleted item (mapped to the lexicon where it
    matches, kept as printed where not) and every lexicon match in the prose around them."""
    found: list[Treatment] = []
    covered: list[tuple[int, int]] = []
    for bs, be in bullets:
        view = CleanView.of(text, bs, be)
        hits = treatment_hits(view.clean)
        if hits:
            h = max(hits, key=lambda h: h.end - h.start)
            found.append(_treatment(h.entry, view_span(text, view, 0, len(view.clean)), view.clean, h.start))
        else:
            name = re.split(r"[:(]", view.clean)[0].strip().rstrip(".")
            found.append(Treatment(name=name.lower(), span=make_span(text, bs, be)))
        covered.append((bs, be))
    for s, e in sentences(text, start, end):
        if any(a <= s < b or s <= a < e for a, b in covered):
            continue
        view = CleanView.of(text, s, e)
        for h in treatment_hits(view.clean):
            found.append(_treatment(h.entry, view_span(text, view, h.start, h.end), view.clean, h.start))
    return merge_treatments(found)


def _treatment(entry: lexicon.TreatmentEntry, span: Span, sentence: str, at: int) -> Treatment:
    before, after = sentence[:at], sentence[at:]
    negated = bool(_NEG_TREATMENT.search(before))
    purpose = "prevention" if _PREVENT.search(sentence) and not re.search(r"\btreat", before.lower()[-30:]) else "treatment"
    population = None
    m = re.search(r"\b(?:for|in) (people|individuals|patients|those|women|children|infants)(?: who (?:have|had)| with)"
                  r" ([^,.;]{3,60})", sentence, re.IGNORECASE)
    if m:
        population = m.group(0).split(" ", 1)[1].strip()
    m2 = re.search(r"\bin (?:future|later|subsequent) pregnanc(?:y|ies)", after, re.IGNORECASE)
    if m2:
        population = m2.group(0)[3:]
    return Treatment(name=entry.name, span=span, category=entry.category, identifiers=entry.identifiers,
                     purpose=purpose, population=population, negated=negated)


def merge_treatments(found: Sequence[Treatment]) -> list[Treatment]:
    """One treatment per (name, purpose, population, negated); later mentions kept as ``mentions``."""
    by_key: dict[tuple[Any, ...], Treatment] = {}
    for t in found:
        key = (t.name, t.purpose, t.population, t.negated)
        if key in by_key:
            first = by_key[key]
            by_key[key] = Treatment(first.name, first.span, first.category, first.identifiers, first.purpose,
                                    first.population, first.negated, first.doses + t.doses,
                                    first.mentions + (t.span,) + t.mentions)
        else:
            by_key[key] = t
    return sorted(by_key.values(), key=lambda t: t.span.start)


def procedures(text: str, start: int, end: int) -> list[Procedure]:
    view = CleanView.of(text, start, end)
    low = view.clean.lower()
    out = []
    taken: list[tuple[int, int]] = []
    for name, pattern in lexicon.DIAGNOSTIC_PROCEDURES:
        for m in re.finditer(r"(?<![a-z0-9])(?:" + pattern + r")(?![a-z0-9])", low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(Procedure(name, view_span(text, view, m.start(), m.end())))
            break
    return sorted(out, key=lambda p: p.span.start)


# -- references ----------------------------------------------------------------------------------------
_URL = re.compile(r"https?://[^\s<>\"]+")
_ID_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PMCID", re.compile(r"\b(PMC\d{4,9})\b")),
    ("PMID", re.compile(r"(?:pubmed(?:\.ncbi\.nlm\.nih\.gov)?/|PMID:? ?)(\d{1,9})\b", re.IGNORECASE)),
    ("DOI", re.compile(r"(?:doi\.org/|doi: ?)(10\.\d{4,9}/[^\s\"<>]+?)(?=[.,;]?(?:\s|$))", re.IGNORECASE)),
    ("OMIM", re.compile(r"(?:omim\.org/entry/|\bOMIM:? ?#?|\bMIM:? ?#?)(\d{6})\b", re.IGNORECASE)),
    ("ORPHA", re.compile(r"(?:orpha\.net/[^\s]*?Expert=|\bORPHA:? ?|\bOrphanet:? ?)(\d{2,7})\b", re.IGNORECASE)),
    ("GARD", re.compile(r"rarediseases\.info\.nih\.gov/diseases/(\d+)", re.IGNORECASE)),
)
_PARTICLE = r"(?:(?:de|van|von|der|den|da|di|du|le|la|el|al|dos|del)\s)*"
_AUTHOR = _PARTICLE + r"[A-Z][\w'’\-]+(?:\s" + _PARTICLE + r"[A-Z][\w'’\-]+)*\s[A-Z]{1,3}"
_AUTHORS = re.compile(r"(?P<authors>" + _AUTHOR + r"(?:(?:,\s(?:and\s)?|\sand\s)" + _AUTHOR + r")*(?:,?\set al)?)\.\s")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_DATE_START = re.compile(r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)"
                         r"(?:\s\d{1,2},)?\s)?(?:19|20)\d{2}\b")


def identifiers_in(text: str) -> list[str]:
    """Every identifier printed in ``text`` as a validated CURIE, in order of appearance, unique."""
    out: list[tuple[int, str]] = []
    for prefix, rx in _ID_PATTERNS:
        for m in rx.finditer(text):
            try:
                out.append((m.start(), str(Curie(prefix, m.group(1).rstrip(".")))))
            except CurieError:
                continue
    seen: dict[str, None] = {}
    for _, c in sorted(out):
        seen.setdefault(c, None)
    return list(seen)


def parse_reference(number: int, text: str, start: int, end: int) -> Reference:
    """"Authors. Title. Journal. Date; volume. URL" -> a Reference; missing parts stay None."""
    raw = re.sub(r"\s+", " ", text[start:end]).strip()
    urls = tuple(u.rstrip(".,;)") for u in _URL.findall(raw))
    body = _URL.sub("", raw).strip()
    authors: tuple[str, ...] = ()
    m = _AUTHORS.match(body + " ")
    if m:
        authors = tuple(a.strip() for a in re.split(r",\s(?:and\s)?|\sand\s", m.group("authors")) if a.strip())
        body = body[m.end():].strip()
    date = None
    for dm in _DATE_START.finditer(body):
        if dm.start() > 0 and body[dm.start() - 2:dm.start()] in (". ", "? ", "! "):
            date = dm
    year = None
    title = journal = None
    if date is not None:
        head = body[:date.start()].rstrip(". ").strip()
        year = int(_YEAR.search(date.group(0)).group(1))  # type: ignore[union-attr]
        parts = re.split(r"(?<=[.?!])\s+(?=[A-Z])", head)
        if len(parts) >= 2:
            title, journal = " ".join(parts[:-1]).rstrip("."), parts[-1].rstrip(".")
        elif parts and parts[0]:
            title = parts[0].rstrip(".")
    else:
        ym = _YEAR.search(body)
        year = int(ym.group(1)) if ym else None
        first = re.split(r"(?<=[.?!])\s", body, maxsplit=1)[0]
        title = first.rstrip(".") or None
    return Reference(number=number, span=Span(start, end, text[start:end]), authors=authors, title=title, journal=journal, year=year,
                     identifiers=tuple(identifiers_in(raw)), urls=urls)


def numbered_references(text: str, start: int, end: int) -> list[Reference]:
    """A numbered reference list ("1. ...", "[1] ...", or the bullets of an HTML <ol>) in ``text[start:end]``."""
    items = list(re.finditer(r"^[ \t]*(?:\[(\d{1,3})\]|(\d{1,3})\.|(•))[ \t]+(?=\S)", text[start:end], re.MULTILINE))
    if any(m.group(3) for m in items) and any(m.group(1) or m.group(2) for m in items):
        items = [m for m in items if not m.group(3)]
    out = []
    for i, m in enumerate(items):
        s = start + m.end()
        e = start + items[i + 1].start() if i + 1 < len(items) else end
        while e > s and text[e - 1].isspace():
            e -= 1
        number = int(m.group(1) or m.group(2) or i + 1)
        if not re.search(r"\b(?:19|20)\d{2}\b|https?://", text[s:e]):
            continue
        out.append(parse_reference(number, text, s, e))
    return out
