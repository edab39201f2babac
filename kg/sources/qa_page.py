"""Reader for question-and-answer disease pages (GARD's "questions" pages and RareGuru's copies of
them), text or HTML.

Such a page has the disease name, then questions ("Is X inherited?") each followed by its answer
and a "Last updated on ..." line, then support organisations as "Name: ... Phone: ... Fax : ..."
blocks. Questions are found by their form (a short line ending in "?", or an HTML heading), not by
position; each answer is classified by its question (cause, inheritance, treatment, ...) and read
with the shared fact extractors. RareGuru prints dates as "05-01-20": when day and month could be
swapped the ISO form is left empty rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any

from kg.docrecords import (
    DiseaseName,
    Document,
    DocumentRecord,
    Kind,
    Organisation,
    PhenotypeStatement,
    Question,
    Section,
    Span,
)
from kg.errors import InputError
from kg.report import Report
from kg.sources import facts
from kg.sources.text import SourceText, bullet_items, parse_date

_QUESTION = re.compile(r"^[ \t]*((?:What|How|Is|Are|Can|Could|Does|Do|Will|Who|Why|When|Where|Which|Should)\b[^\n?]{3,200}\?)"
                       r"[ \t]*$", re.MULTILINE)
_LAST_UPDATED = re.compile(r"^[ \t]*Last updated:?(?:[ \t]+on)?[ \t]*:?[ \t]*([0-9/\-.]{6,10}|[A-Z][a-z]+ \d{1,2},? \d{4})[ \t]*$",
                           re.MULTILINE | re.IGNORECASE)
_ORG_START = re.compile(r"^[ \t]*Name[ \t]*:[ \t]*", re.MULTILINE)
_FIELD = re.compile(r"\b(Phone|Toll[ -]?Free|Fax|Email|E-mail|Url|Website|TTY)[ \t]*:[ \t]*", re.IGNORECASE)

TOPICS: tuple[tuple[str, str], ...] = (
    ("inheritance", r"inherit|genetic|passed (?:down|on)|run in famil|recurrence|chance"),
    ("cause", r"\bcause|why does|etiology|aetiology"),
    ("treatment", r"treat|therap|\bcure\b|manag|medication"),
    ("prevention", r"prevent"),
    ("diagnosis", r"diagnos|\btest"),
    ("symptoms", r"symptom|signs|features|look like"),
    ("prognosis", r"prognosis|outlook|life expectancy|survive|long-term"),
    ("prevalence", r"how common|how many|how rare|prevalence"),
    ("summary", r"^what (?:is|are)\b"),
)
COUNTRIES = ("United States", "United Kingdom", "Canada", "Australia", "Ireland", "New Zealand", "Germany", "France",
             "Italy", "Spain", "Netherlands", "Belgium", "Switzerland", "Sweden", "Norway", "Denmark", "Finland",
             "Japan", "India", "Israel", "Brazil", "Mexico", "South Africa", "Austria", "Portugal", "USA", "UK")


def read_text(src: SourceText, *, source: str, recognizer: facts.Recognizer | None = None, ontology: Any = None,
              report: Report | None = None, retrieved: str | None = None) -> DocumentRecord:
    text = src.text
    report = report if report is not None else Report()
    title, title_span = _title(src, source)
    org_start = _ORG_START.search(text)
    body_end = org_start.start() if org_start else len(text)
    questions = _questions(src, title_span.end, body_end)
    if not questions:
        raise InputError("no questions found on a question-and-answer page", path=source)
    sections: list[Section] = []
    phenotypes: list[PhenotypeStatement] = []
    inheritance, causes, treatments, prevalence, onsets, procedures = [], [], [], [], [], []
    for q in questions:
        s, e = q.answer_start, q.answer_end
        sections.append(Section(q.topic, s, e, q.question, q.last_updated))
        if q.topic == "inheritance":
            inheritance += facts.inheritance(text, s, e)
        if q.topic in ("cause", "inheritance", "summary"):
            causes += facts.causes(text, s, e)
        if q.topic in ("treatment", "prevention", "summary"):
            treatments += facts.treatments(text, s, e, bullets=bullet_items(text, s, e))
        if q.topic == "diagnosis":
            procedures += facts.procedures(text, s, e)
        prevalence += facts.prevalence(text, s, e)
        if q.topic in ("symptoms", "summary", "prognosis"):
            onsets += facts.onsets(text, s, e)
            phenotypes += [p for p in facts.recognise(recognizer, text, s, e, section=q.topic) if p.context == "patient"]
    if recognizer is None and any(q.topic in ("symptoms", "summary") for q in questions):
        report.warning("documents/no-recogniser", "no concept recogniser: phenotypes in the answers were not read",
                       path=source)
    organisations = _organisations(text, body_end, len(text))
    if org_start:
        sections.append(Section("organisations", org_start.start(), organisations[-1].span.end if organisations
                                else org_start.end()))
    dates = tuple(q.last_updated for q in questions if q.last_updated is not None)
    for d in dates:
        if d.iso is None:
            report.warning("documents/ambiguous-date", f"date {d.raw!r}: day and month cannot be told apart, kept as printed",
                           path=source)
            break
    return DocumentRecord(
        document=Document(source=source, sha256=src.sha256, kind=Kind.QA, media_type=src.media_type,
                          text_sha256=src.text_sha256, text_length=len(text), retrieved=retrieved, encoding=src.encoding),
        disease=DiseaseName(title, title_span, (), (), tuple(facts.identifiers_in(text))),
        sections=tuple(sections), phenotypes=tuple(phenotypes), inheritance=tuple(inheritance), causes=tuple(causes),
        onsets=tuple(onsets), treatments=tuple(facts.merge_treatments(treatments)), procedures=tuple(procedures),
        prevalence=tuple(prevalence), organisations=tuple(organisations), questions=tuple(questions), dates=dates)


def _title(src: SourceText, source: str) -> tuple[str, Span]:
    for h in src.headings:
        if h.level == 1:
            return h.text, Span(h.start, h.end, h.text)
    for m in re.finditer(r"^[ \t]*(\S[^\n]*?)[ \t]*$", src.text, re.MULTILINE):
        line = m.group(1)
        if line.endswith(("?", ".")) or len(line.split()) > 12:
            raise InputError("the page does not start with a disease name", path=source)
        return line, Span(m.start(1), m.end(1), line)
    raise InputError("empty page", path=source)


def topic_of(question: str) -> str:
    low = question.lower()
    for topic, pattern in TOPICS:
        if re.search(pattern, low):
            return topic
    return "other"


def _questions(src: SourceText, start: int, end: int) -> list[Question]:
    text = src.text
    found = [(m.start(1), m.end(1)) for m in _QUESTION.finditer(text, start, end)]
    found += [(h.start, h.end) for h in src.headings if h.text.endswith("?") and start <= h.start < end
              and (h.start, h.end) not in found]
    found.sort()
    out = []
    for i, (qs, qe) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else end
        date = None
        m = _LAST_UPDATED.search(text, qe, stop)
        a_end = stop
        if m:
            date = parse_date(m.group(1), order="?")
            a_end = m.start()
        a_start = qe
        while a_start < a_end and text[a_start].isspace():
            a_start += 1
        while a_end > a_start and text[a_end - 1].isspace():
            a_end -= 1
        question = text[qs:qe]
        out.append(Question(question, topic_of(question), Span(qs, qe, question), a_start, a_end, date))
    return out


# -- organisations ---------------------------------------------------------------------------------------
_ADDRESS_START = re.compile(r"\s(?=(?:P\.?\s?O\.?\s?Box|Post Office Box|\d+[A-Za-z]?\s+[A-Z0-9]|Suite\s|Unit\s|c/o\s))", re.IGNORECASE)


def _organisations(text: str, start: int, end: int) -> list[Organisation]:
    starts = [m for m in _ORG_START.finditer(text, start, end)]
    out = []
    for i, m in enumerate(starts):
        block_end = starts[i + 1].start() if i + 1 < len(starts) else end
        blank = re.search(r"\n[ \t]*\n", text[m.end():block_end])
        if blank:
            block_end = m.end() + blank.start()
        out.append(parse_organisation(text, m.end(), block_end))
    return out


def parse_organisation(text: str, start: int, end: int) -> Organisation:
    """"Name Address... Country / Phone: x Toll Free: y Fax : z Email: Url:" -> an Organisation."""
    block = text[start:end]
    first_field = _FIELD.search(block)
    head = block[:first_field.start()] if first_field else block
    fields: dict[str, str] = {}
    if first_field:
        matches = list(_FIELD.finditer(block))
        for j, fm in enumerate(matches):
            value_end = matches[j + 1].start() if j + 1 < len(matches) else len(block)
            key = re.sub(r"[ -]", "", fm.group(1).lower()).replace("e-mail", "email").replace("website", "url")
            value = _clean_value(block[fm.end():value_end])
            if value:
                fields.setdefault(key, value)
    flat = re.sub(r"\s+", " ", head).strip()
    split = _ADDRESS_START.search(" " + flat)
    if split and split.start() > 0:
        name, address = flat[:split.start() - 1].strip(), flat[split.start():].strip()
    else:
        name, address = flat, ""
    name = name.rstrip(",")
    address = re.sub(r"\s+,", ",", address).strip(" ,")
    country = None
    for c in COUNTRIES:
        if re.search(r"(?:^|[,\s])" + re.escape(c) + r"\s*$", address):
            country = {"USA": "United States", "UK": "United Kingdom"}.get(c, c)
            break
    name_at = text.find(name.split()[0], start, end) if name else start
    return Organisation(name=name, span=Span(name_at, name_at + len(name), text[name_at:name_at + len(name)]),
                        address=address or None, country=country, phone=fields.get("phone"),
                        toll_free=fields.get("tollfree"), fax=fields.get("fax"), email=fields.get("email"),
                        url=fields.get("url"))


def _clean_value(value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip(" ,;")
    value = value.replace("–", "-").replace("—", "-")
    if not value or not re.search(r"[0-9A-Za-z]", value):
        return None
    return value
