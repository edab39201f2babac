"""Reader for GARD disease pages (rarediseases.info.nih.gov/diseases/<id>/<name>), text or HTML.

A GARD page has a title, an "Other Names:" line, then sections (summary, symptoms with the
HPO phenotype table, cause, inheritance, diagnosis, treatment, prognosis, statistics), each
closed by a "Last updated: M/D/YYYY" line, then resources and a numbered reference list.
Copies of the page lose the section headings, so a section's topic comes from its heading
when there is one and otherwise from its content (keyword scores); the order does not matter
and missing sections are simply absent. The phenotype table prints HPO IDs without the
``HP:`` prefix and splits a row over several lines (term, layperson name, ID).
"""

from __future__ import annotations

import re
from typing import Any

from kg.docrecords import (
    Complication,
    DiseaseName,
    Document,
    DocumentRecord,
    InheritanceStatement,
    Kind,
    PhenotypeStatement,
    PrognosisFactor,
    Resource,
    Section,
    Span,
)
from kg.errors import InputError
from kg.report import Report
from kg.sources import facts, lexicon
from kg.sources.text import (
    CleanView,
    SourceText,
    bullet_items,
    heading_lines,
    parse_date,
    sentences,
    split_list,
)

_LAST_UPDATED = re.compile(r"^[ \t]*Last updated:?[ \t]*(?:on[ \t]+)?(\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{2,4})[ \t]*$",
                           re.MULTILINE | re.IGNORECASE)
_OTHER_NAMES = re.compile(r"^[ \t]*(?:Other Names|Other names|Synonyms?)[ \t]*:[ \t]*(.*)$", re.MULTILINE)
_BANNER = re.compile(r"Information Center|National Center|National Institutes|rarediseases\.info", re.IGNORECASE)

#: heading words -> topic (headings of the HTML page, or heading lines of a text copy)
HEADING_TOPICS: tuple[tuple[str, str], ...] = (
    (r"summary|overview|disease at a glance|description", "summary"),
    (r"symptoms?|signs|features|clinical description", "symptoms"),
    (r"cause|causes|etiology|aetiology", "cause"),
    (r"inheritance|genetics|is it inherited", "inheritance"),
    (r"diagnosis|diagnostic|testing", "diagnosis"),
    (r"treatment|management|therapy|therapies", "treatment"),
    (r"prognosis|outlook|complications", "prognosis"),
    (r"statistics|prevalence|epidemiology|how common", "prevalence"),
    (r"references|sources|citations", "references"),
    (r"in-depth information|learn more|resources|clinical research|research|related", "resources"),
    (r"organi[sz]ations|support|advocacy", "organisations"),
    (r"specialists?|healthcare resources|find a", "specialists"),
)

#: content keywords -> topic, for sections without a heading (first sentence counts 3x)
TOPIC_WORDS: dict[str, str] = {
    "symptoms": r"symptoms?|signs?|features|characteri[sz]ed",
    "cause": r"cause[sd]?|etiology|aetiology|due to|results? from",
    "inheritance": r"inherit\w*|genes?|genetic|famil\w*|autosomal|x-linked|recurrence",
    "diagnosis": r"diagnos\w*|tests?|testing",
    "treatment": r"treat\w*|therap\w*|management|medications?",
    "prognosis": r"prognosis|outlook|survival|life expectancy|clinical course|complications?|remission",
    "prevalence": r"prevalence|incidence|how common|in one million|per \d|\d+ in [\d,]+",
    "specialists": r"specialists?|healthcare professionals|medical advice",
    "resources": r"clinicaltrials|research|resources|studies listed|website",
    "organisations": r"support and advocacy|advocacy|organi[sz]ations?",
}
PROSE_TOPICS = ("summary", "symptoms", "cause", "prognosis", "other")


def read_text(src: SourceText, *, source: str, recognizer: facts.Recognizer | None = None, ontology: Any = None,
              report: Report | None = None, retrieved: str | None = None) -> DocumentRecord:
    text = src.text
    report = report if report is not None else Report()
    title, title_span = _title(src, source)
    synonyms = _other_names(text)
    sections = split_sections(src)
    by_topic: dict[str, list[Section]] = {}
    for sec in sections:
        by_topic.setdefault(sec.topic, []).append(sec)

    def spans(*topics: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for t in topics for s in by_topic.get(t, [])]

    phenotypes: list[PhenotypeStatement] = []
    inheritance: list[InheritanceStatement] = []
    for s, e in spans("phenotype-table"):
        rows, modes = phenotype_table(text, s, e, ontology=ontology, report=report, path=source)
        phenotypes += rows
        inheritance += modes
    if recognizer is None:
        report.warning("documents/no-recogniser", "no concept recogniser: phenotypes in the prose were not read",
                       path=source)
    for sec in sections:
        if sec.topic == "phenotype-table":  # prose above the table ("People with X are tall ...")
            head = re.search(r"HPO ID|Medical Terms|Human Phenotype Ontology|This table", text[sec.start:sec.end])
            if head and head.start() > 0:
                phenotypes += [p for p in facts.recognise(recognizer, text, sec.start, sec.start + head.start(),
                                                          section="symptoms") if p.context == "patient"]
        if sec.topic in PROSE_TOPICS:
            for p in facts.recognise(recognizer, text, sec.start, sec.end, section=sec.topic):
                if p.context == "patient":
                    phenotypes.append(p)
    names = [title, *synonyms]
    for s, e in spans("inheritance", "summary"):
        inheritance += facts.inheritance(text, s, e)
    causes = [c for s, e in spans("cause", "summary", "inheritance") for c in facts.causes(text, s, e)
              if _about_disease(text, c.span, names)]
    onsets = [o for s, e in spans("symptoms", "summary", "other") for o in facts.onsets(text, s, e)]
    treatments = []
    for s, e in spans("treatment"):
        treatments += facts.treatments(text, s, e, bullets=bullet_items(text, s, e))
    for s, e in spans("summary"):
        treatments += facts.treatments(text, s, e)
    treatments = facts.merge_treatments(_resolve_these(text, treatments))
    procedures = [p for s, e in spans("diagnosis", "summary") for p in facts.procedures(text, s, e)]
    prevalence = [p for s, e in spans("prevalence", "summary", "other") for p in facts.prevalence(text, s, e)]
    references = [r for s, e in spans("references") for r in facts.numbered_references(text, s, e)]
    identifiers = tuple(dict.fromkeys(c for r in references for c in r.identifiers if c.split(":")[0] in ("OMIM", "ORPHA", "GARD")))
    return DocumentRecord(
        document=Document(source=source, sha256=src.sha256, kind=Kind.GARD, media_type=src.media_type,
                          text_sha256=src.text_sha256, text_length=len(text), retrieved=retrieved, encoding=src.encoding),
        disease=DiseaseName(title, title_span, tuple(synonyms), (), identifiers),
        sections=tuple(sections),
        phenotypes=tuple(_dedupe_phenotypes(phenotypes)),
        inheritance=tuple(inheritance),
        causes=tuple(causes),
        onsets=tuple(onsets),
        treatments=tuple(treatments),
        procedures=tuple(_dedupe(procedures, key=lambda p: p.name)),
        prognosis=tuple(f for s, e in spans("prognosis") for f in _prognosis(text, s, e)),
        complications=tuple(c for s, e in spans("prognosis", "summary") for c in complications(text, s, e, recognizer)),
        prevalence=tuple(prevalence),
        references=tuple(references),
        resources=tuple(r for t in ("resources", "specialists") for s, e in spans(t) for r in resources(text, s, e, t)),
        dates=tuple(sec.last_updated for sec in sections if sec.last_updated is not None),
    )


# -- title and names -------------------------------------------------------------------------------------
def _title(src: SourceText, source: str) -> tuple[str, Span]:
    for h in src.headings:
        if h.level == 1 and not _BANNER.search(h.text):
            return h.text, Span(h.start, h.end, h.text)
    for m in re.finditer(r"^[ \t]*(\S[^\n]*?)[ \t]*$", src.text, re.MULTILINE):
        line = m.group(1)
        if _BANNER.search(line) or _OTHER_NAMES.match(line) or len(line.split()) > 12 or line.endswith("."):
            continue
        return line, Span(m.start(1), m.end(1), line)
    raise InputError("no disease name (title line) found", path=source)


def _other_names(text: str) -> list[str]:
    m = _OTHER_NAMES.search(text)
    if not m:
        return []
    value = m.group(1).strip()
    if not value:  # the names are on the next line
        nxt = re.match(r"\n[ \t]*([^\n]+)", text[m.end():])
        value = nxt.group(1).strip() if nxt and ":" not in nxt.group(1)[:20] else ""
    return [n.strip() for n in re.split(r";|\s\|\s", value) if n.strip()]


# -- sections ---------------------------------------------------------------------------------------------
def _heading_topic(heading: str) -> str | None:
    low = heading.lower().strip()
    for pattern, topic in HEADING_TOPICS:
        if re.fullmatch(r"(?:[\w' ]+ )?(?:" + pattern + r")(?: [\w' ]+)?", low) and len(low.split()) <= 6:
            return topic
    return None


def split_sections(src: SourceText) -> list[Section]:
    """Sections between headings and "Last updated" lines, each with a topic and its date."""
    text = src.text
    cuts: list[tuple[int, int, str | None, str | None]] = []  # (start, end-of-marker, heading, date)
    headings = list(src.headings) or [h for h in heading_lines(text) if _heading_topic(h.text)]
    for h in headings:
        if h.level == 1:
            continue
        cuts.append((h.start, h.end, h.text, None))
    for m in _LAST_UPDATED.finditer(text):
        cuts.append((m.start(), m.end(), None, m.group(1)))
    names = _OTHER_NAMES.search(text)
    first = names.end() if names else 0
    if names and not names.group(1).strip():
        nxt = re.match(r"\n[^\n]*", text[first:])
        first += nxt.end() if nxt else 0
    cats = re.match(r"\s*Categories:[^\n]*", text[first:])
    if cats:
        first += cats.end()
    refs = re.search(r"^[ \t]*(?:\[1\]|1\.)[ \t]+\S", text[first:], re.MULTILINE)
    cuts.sort()
    out: list[Section] = []
    pos, heading = first, None
    for start, marker_end, head, date in cuts + [(len(text), len(text), None, None)]:
        if start < first:
            continue
        if refs and pos <= first + refs.start() < start and head is None:
            _add(out, text, pos, first + refs.start(), heading, None)
            pos, heading = first + refs.start(), "References"
        _add(out, text, pos, start, heading, date)
        pos = marker_end
        heading = head if head else None
    return [s for s in out if s.end > s.start]


def _add(out: list[Section], text: str, start: int, end: int, heading: str | None, date: str | None) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start and date is None:
        return
    topic = classify(text, start, end, heading, first=not out)
    out.append(Section(topic, start, end, heading, parse_date(date, order="MDY") if date else None))


def classify(text: str, start: int, end: int, heading: str | None, *, first: bool = False) -> str:
    """Topic of a section: by its heading if it names one, else by its content."""
    body = text[start:end]
    if heading:
        topic = _heading_topic(heading)
        if topic:
            return topic if topic != "symptoms" or not _is_table(body) else "phenotype-table"
    if _is_table(body):
        return "phenotype-table"
    if re.match(r"\s*(?:\[1\]|1\.)\s", body) and re.search(r"\b(?:19|20)\d\d\b", body):
        return "references"
    if first:
        return "summary"
    sents = sentences(text, start, end)
    lead = text[sents[0][0]:sents[0][1]].lower() if sents else ""
    low = body.lower()
    scores = {topic: 3 * len(re.findall(r"\b(?:" + words + r")\b", lead)) + len(re.findall(r"\b(?:" + words + r")\b", low))
              for topic, words in TOPIC_WORDS.items()}
    best = max(sorted(scores), key=lambda t: scores[t])
    return best if scores[best] > 0 else "other"


def _is_table(body: str) -> bool:
    return bool(re.search(r"HPO ID|Human Phenotype Ontology", body)) and len(re.findall(r"\b\d{7}\b", body)) >= 1


# -- the phenotype table -----------------------------------------------------------------------------------
_ROW_ID = re.compile(r"^(?P<text>.*?)[ \t]*(?:HP:)?(?P<id>\d{7})[ \t]*$")
_HEADER = re.compile(r"HPO ID|Medical Terms|Other Names|Learn More|Showing|Percent of people|% of people|Frequency",
                     re.IGNORECASE)


def phenotype_table(text: str, start: int, end: int, *, ontology: Any, report: Report, path: str
                    ) -> tuple[list[PhenotypeStatement], list[InheritanceStatement]]:
    """Rows "term [layperson...] 0000006", one per line or split over lines -> phenotype or inheritance."""
    rows: list[PhenotypeStatement] = []
    modes: list[InheritanceStatement] = []
    pending: list[tuple[int, int]] = []
    inheritance_ids = {h for _, h in lexicon.INHERITANCE_MODES} | {"HP:0000005"}
    for m in re.finditer(r"^[ \t]*(\S[^\n]*?)[ \t]*$", text[start:end], re.MULTILINE):
        ls, le = start + m.start(1), start + m.end(1)
        line = text[ls:le]
        if _HEADER.search(line) and not _ROW_ID.match(line):
            pending = []
            continue
        row = _ROW_ID.match(line)
        if not row:
            pending.append((ls, le))
            continue
        id_start = ls + row.start("id")
        parts = pending + ([(ls, ls + len(row.group("text")))] if row.group("text").strip() else [])
        parts = [p for part in parts for p in _cells(text, *part)]
        pending = []
        raw_id = "HP:" + row.group("id")
        hpo_id = raw_id
        label = text[parts[0][0]:parts[0][1]] if parts else raw_id
        if ontology is not None:
            res = ontology.resolve(raw_id)
            if res.current is None:
                report.error("documents/unknown-hpo-id", f"phenotype table row {raw_id} is not a current HPO term",
                             path=path, identifier=raw_id)
                continue
            if res.current != raw_id:
                report.warning("documents/alt-hpo-id", f"{raw_id} mapped to {res.current} ({res.reason})", path=path,
                               identifier=raw_id)
            hpo_id = res.current
            parts = _split_by_label(text, parts, ontology.label(hpo_id) or "")
            label = ontology.label(hpo_id) or label
        term_span = Span(parts[0][0], parts[0][1], text[parts[0][0]:parts[0][1]]) if parts else \
            Span(id_start, id_start + 7, text[id_start:id_start + 7])
        lay = "; ".join(text[a:b] for a, b in parts[1:]) or None
        is_mode = (ontology.is_a(hpo_id, "HP:0000005") if ontology is not None else hpo_id in inheritance_ids)
        if is_mode:
            modes.append(InheritanceStatement(term_span, hpo_id=hpo_id, label=label, inherited=True, origin="table"))
        else:
            rows.append(PhenotypeStatement(hpo_id, label, term_span, origin="table", section="phenotype-table",
                                           layperson=lay))
    return rows, modes


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r"\t+", text[start:end]):
        out.append((pos, start + m.start()))
        pos = start + m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _split_by_label(text: str, parts: list[tuple[int, int]], label: str) -> list[tuple[int, int]]:
    """A one-line row "Hemoptysis Coughing up blood" is split after the HPO label it starts with."""
    if len(parts) != 1 or not label:
        return parts
    a, b = parts[0]
    cell = text[a:b]
    if cell.lower().startswith(label.lower()) and len(cell) > len(label) + 1 and cell[len(label)] == " ":
        return [(a, a + len(label)), (a + len(label) + 1, b)]
    return parts


# -- prognosis, complications, resources ------------------------------------------------------------------
def _prognosis(text: str, start: int, end: int) -> tuple[PrognosisFactor, ...]:
    out = []
    for s, e in bullet_items(text, start, end):
        m = re.match(r"([^:\n]{2,40}):", text[s:e])
        if m:
            out.append(PrognosisFactor(m.group(1).strip(), Span(s, s + len(m.group(1).strip()), m.group(1).strip())))
    return tuple(out)


def complications(text: str, start: int, end: int, recognizer: facts.Recognizer | None) -> list[Complication]:
    """Items of "complications ... include A, B, and C"."""
    out = []
    for s, e in sentences(text, start, end):
        view = CleanView.of(text, s, e)
        m = re.search(r"complications?\b[^.]*?\b(?:include|includes|including|are|such as)\b:?\s+(.+?)\.?(?:\[\d+\])*\s*$",
                      view.clean, re.IGNORECASE)
        if not m:
            continue
        base = m.start(1)
        for a, b in split_list(m.group(1)):
            item = m.group(1)[a:b]
            span = facts.view_span(text, view, base + a, base + b)
            hpo = None
            if recognizer is not None:
                found = [x for x in recognizer(item) if not x.negated]
                if found:
                    hpo = str(max(found, key=lambda x: x.end - x.start).hpo_id)
            out.append(Complication(item.strip(), span, hpo))
    return out


_RESOURCE_VERB = re.compile(r"\s(?:provides|is|are|lists|brings|has|offers|contains|maintains|was)\b")


def resources(text: str, start: int, end: int, section: str) -> list[Resource]:
    """External resources named at the start of each bulleted item ("Orphanet is a European ...")."""
    out = []
    for s, e in bullet_items(text, start, end):
        item = text[s:e]
        m = _RESOURCE_VERB.search(item)
        name = item[:m.start()] if m else item
        name = re.sub(r"^(?:The|the)[\s\xa0]+", "", name).strip(" \xa0.")
        offset = item.find(name)
        if 2 <= len(name) <= 80:
            out.append(Resource(name.replace("\xa0", " "), Span(s + offset, s + offset + len(name), name), section))
    return out


# -- helpers -------------------------------------------------------------------------------------------
def _about_disease(text: str, span: Span, names: list[str]) -> bool:
    """A cause sentence counts when its subject is the disease, not "most autoimmune diseases"."""
    sent_start = max(text.rfind(". ", 0, span.start), text.rfind("\n", 0, span.start)) + 1
    before = re.sub(r"\s+", " ", text[sent_start:span.start]).lower()
    return not re.search(r"\b(?:most|many|other|some|all)\b[^,;]*\b(?:diseases|conditions|disorders)\b", before)


def _resolve_these(text: str, treatments: list[Any]) -> list[Any]:
    """"For these individuals, X is recommended": the population is named in the sentence before."""
    out = []
    for t in treatments:
        if t.population is None:
            sent_start = max(text.rfind(". ", 0, t.span.start), text.rfind("\n", 0, t.span.start))
            sentence = text[sent_start:t.span.start]
            if re.search(r"\b(?:for|in) (?:these|such|those) (?:individuals|people|patients|cases)\b", sentence, re.IGNORECASE):
                prev_start = max(text.rfind(". ", 0, sent_start - 1), text.rfind("\n", 0, sent_start - 1)) + 1
                prev = re.sub(r"\s+", " ", text[prev_start:sent_start].replace("\xa0", " "))
                m = re.search(r"\b(?:have|has|with|develop)\s+(?:an? )?([a-z][a-z' \-]{2,50}?)(?:\[\d+\])*\s*[.,;]?\s*$", prev)
                if m:
                    t = type(t)(**{**{f: getattr(t, f) for f in t.__slots__}, "population": "people with " + m.group(1).strip()})
        out.append(t)
    return out


def _dedupe(items: list[Any], *, key: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _dedupe_phenotypes(items: list[PhenotypeStatement]) -> list[PhenotypeStatement]:
    seen: dict[tuple[int, int, str], PhenotypeStatement] = {}
    for p in items:
        seen.setdefault((p.span.start, p.span.end, p.hpo_id), p)
    return sorted(seen.values(), key=lambda p: (p.span.start, p.hpo_id))

