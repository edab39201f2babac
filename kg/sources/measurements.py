"""Measurements of a case: laboratory and lung-function tables, vital signs in the prose.

A case report's tables arrive as text lines "Haemoglobin (g/L) 105 135-175": a name, a unit in
brackets, the patient's value and the reference (a range "a-b", a limit "<1.0" / "≤0.30", a
single predicted value, "−" for negative, or words). A table with several time points repeats
the value/reference pair per point, named in its header. Rows split over lines ("DLCO/VA ratio",
"(mL/min/mm Hg/L)", "2.32 5.06 ...") are joined; a row without values ("Urinalysis") names the
group of the rows below it. Each value is flagged against its range and mapped to the HPO term
for that abnormality where the analyte table (``kg.sources.lexicon.ANALYTES``) has one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.docrecords import Measurement, Span
from kg.report import Report
from kg.sources import lexicon
from kg.sources.text import CleanView

_MINUS = "−–-"
_VALUE = r"(?:[<>≤≥]=?\s?)?\d+(?:\.\d+)?|[−–+-](?=\s|$)"
_RANGE = r"\d+(?:\.\d+)?\s?[–\-]\s?\d+(?:\.\d+)?"
_TOKEN = re.compile(r"(?P<range>" + _RANGE + r")|(?P<value>" + _VALUE + r")")
_ROW = re.compile(r"^(?P<name>[A-Za-z][^\n()]*?(?:\s?[−–-])?)\s*(?:\((?P<unit>[^)]*)\))?\s*(?P<rest>(?:(?:" + _RANGE + "|" + _VALUE
                  + r")(?:\s|$)).*)?$")
_TABLE_TITLE = re.compile(r"^[ \t]*Table\s+(\d+)[ \t]+([^\n]+)$", re.MULTILINE)
_LEGEND = re.compile(r"^[^\n]{0,40}?[,:]\s[a-z][^\n]*;\s")


@lru_cache(maxsize=1)
def _analyte_patterns() -> list[tuple[re.Pattern[str], lexicon.Analyte]]:
    return [(re.compile(p + r"\Z"), a) for a in lexicon.ANALYTES for p in a.patterns]


def analyte_of(name: str, group: str | None) -> lexicon.Analyte | None:
    key = re.sub(r"\s+", " ", name.lower().replace("−", "-").replace("–", "-")).strip(" -")
    key = re.sub(r"- ", "-", key)
    for rx, a in _analyte_patterns():
        if a.group is not None and a.group != (group or "").lower():
            continue
        if rx.match(key):
            return a
    return None


def _number(s: str) -> float:
    return float(s)


def parse_reference(ref: str) -> tuple[float | None, float | None, str | None]:
    """(low, high, qualitative) of a printed reference; (None, None, None) when it is not a range."""
    r = ref.strip().replace("–", "-")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s?-\s?(\d+(?:\.\d+)?)", r)
    if m:
        return _number(m.group(1)), _number(m.group(2)), None
    m = re.fullmatch(r"(<|≤|<=)\s?(\d+(?:\.\d+)?)", r)
    if m:
        return None, _number(m.group(2)), None
    m = re.fullmatch(r"(>|≥|>=)\s?(\d+(?:\.\d+)?)", r)
    if m:
        return _number(m.group(2)), None, None
    if r in ("−", "-", "negative", "neg"):
        return None, None, "negative"
    return None, None, None


def flag_of(value: float | None, comparator: str | None, qualitative: str | None, low: float | None,
            high: float | None, ref_qual: str | None) -> str | None:
    if qualitative is not None and ref_qual is not None:
        return "normal" if qualitative == ref_qual else "abnormal"
    if value is None or (low is None and high is None):
        return None
    if low is not None and high is not None and low > high:
        return None  # a misprinted range ("65-13") flags nothing
    if comparator in ("<", "≤", "<=") and high is not None and value <= high:
        return "normal"
    if low is not None and value < low:
        return "low"
    if high is not None and value > high:
        return "high"
    return "normal"


def _hpo_for(analyte: lexicon.Analyte | None, flag: str | None, qualitative: str | None) -> str | None:
    if analyte is None:
        return None
    if flag == "low":
        return analyte.low
    if flag == "high":
        return analyte.high
    if flag == "abnormal" and qualitative == "positive":
        return analyte.positive
    return None


def tables(text: str, start: int, end: int, *, report: Report, path: str) -> tuple[list[Measurement], list[tuple[int, int]]]:
    """Every "Table N ..." block in ``text[start:end]`` with measurement rows; also returns the blocks'
    extents so the prose readers can skip them."""
    out: list[Measurement] = []
    blocks: list[tuple[int, int]] = []
    for m in _TABLE_TITLE.finditer(text, start, end):
        block_end = _table_end(text, m.end(), end)
        blocks.append((m.start(), block_end))
        out += table(text, m.end(), block_end, title=m.group(2).strip(), report=report, path=path)
    return out, blocks


def _table_end(text: str, start: int, end: int) -> int:
    for line in re.finditer(r"^[^\n]*$", text[start:end], re.MULTILINE):
        s = line.group(0)
        if _LEGEND.match(s) or re.match(r"\s*(?:Figure|Fig\.)\s+\d", s) or re.fullmatch(r"\s*[A-Z][A-Z ,&\-]{5,}", s):
            return start + line.start()
    return end


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text[start:end])]


def table(text: str, start: int, end: int, *, title: str, report: Report, path: str) -> list[Measurement]:
    lines = _lines(text, start, end)
    time_points: list[str] = []
    pairs_per_row = 1
    rows: list[tuple[int, int]] = []
    for s, e in lines:
        line = text[s:e].strip()
        words = re.findall(r"[A-Za-z’']+", line)
        if re.fullmatch(r"(?:(?:Patient|Normal|Value|Reference|Predicted)\s*)+", line, re.IGNORECASE):
            pairs_per_row = max(1, len(re.findall(r"Patient", line, re.IGNORECASE)))
            continue
        if re.match(r"(?:Test|Parameter|Analyte)\b", line):
            continue
        if not rows and re.search(r"treatment|admission|baseline|follow|month|year|day", line, re.IGNORECASE) and \
                not re.search(r"\(\S*\)\s+\d", line):
            clean = CleanView.of(line).clean
            time_points = [clean]
            for word in ("treatment", "admission", "follow-up", "baseline", "months", "years", "days"):
                if len(re.findall(r"\b" + word + r"\b", clean)) >= 2:
                    time_points = [p.strip() for p in re.findall(r".*?\b" + word + r"\b", clean)]
                    break
            continue
        if rows and (re.match(r"[(\d<>≤≥]|[−–+-](?:\s|$)", line) or (line[:1].islower() and not _split_row(line))):
            rows[-1] = (rows[-1][0], e)  # continuation of the row above
            continue
        if words:
            rows.append((s, e))
    if not time_points and re.search(r"admission", title, re.IGNORECASE):
        time_points = ["on admission"]
    out: list[Measurement] = []
    group: str | None = None
    category = "lung-function" if re.search(r"pulmonary function|lung function|spirometry", title, re.IGNORECASE) else "laboratory"
    for s, e in rows:
        view = CleanView.of(text, s, e)
        parsed = _split_row(view.clean, pairs_per_row)
        if parsed is None:
            if not re.search(r"\d", view.clean):
                group = re.sub(r"\s*\(.*", "", view.clean).strip().lower()
            continue
        name, unit, rest = parsed
        analyte = analyte_of(name, group)
        cells = _cells(rest, pairs_per_row)
        cursor = view.clean.find(rest) if rest else len(name)
        for i, (value_text, ref_text) in enumerate(cells):
            at = view.clean.find(value_text, cursor)
            at = at if at >= 0 else cursor
            cursor = at + len(value_text)
            tp = time_points[i] if i < len(time_points) else (time_points[0] if len(time_points) == 1 else None)
            m = _measurement(text, view, at, name, unit, value_text, ref_text, analyte, group, tp,
                             analyte.category if analyte and analyte.category != "laboratory" else category)
            if m.ref_text and m.flag is None and m.ref_low is not None and m.ref_high is not None:
                report.warning("documents/bad-range", f"{name}: reference {m.ref_text!r} has its bounds reversed; "
                               "value not flagged", path=path)
            out.append(m)
    return out


def _split_row(line: str, pairs: int = 1) -> tuple[str, str | None, str] | None:
    """(name, unit, values) of a table row, or None when the line has no values. With a unit in
    brackets the name is what precedes it; otherwise the shortest name whose remainder splits into
    whole (value, reference) pairs ("Top 1 − −" is the row "Top 1", not "Top" with value 1)."""
    m = re.match(r"([A-Za-z][^()]*?)\s*\(([^)]*)\)\s*(.*)$", line)
    if m and m.group(3).strip() and _TOKEN.match(m.group(3).strip()):
        return m.group(1).strip(), m.group(2).strip(), m.group(3).strip()
    if m:
        return None
    words = line.split(" ")
    options = []
    for i in range(1, len(words)):
        name, rest = " ".join(words[:i]), " ".join(words[i:])
        if not re.match(r"[A-Za-z]", name) or not _TOKEN.match(rest):
            continue
        tokens = [t.group(0) for t in _TOKEN.finditer(rest)]
        if "".join(tokens).replace(" ", "") != rest.replace(" ", ""):
            continue
        options.append((name, rest, len(tokens)))
    for name, rest, n in options:
        if n in (1, 2 * pairs):
            return name, None, rest
    return (options[0][0], None, options[0][1]) if options else None


def _cells(rest: str, pairs: int) -> list[tuple[str, str | None]]:
    """Split a row's values into (value, reference) pairs; references may be words."""
    if re.search(r"[A-Za-z]{3,}", rest):
        found = re.findall(r"(\d+(?:\.\d+)?)\s+([A-Z][^\n]*?)(?=\s+\d+(?:\.\d+)?\s+[A-Z]|\s*$)", rest)
        if found:
            return [(v, re.sub(r"\s+", " ", r)) for v, r in found]
    tokens = [t.group(0) for t in _TOKEN.finditer(rest)]
    if len(tokens) == 1:
        return [(tokens[0], None)]
    if pairs > 1 or len(tokens) % 2 == 0:
        return [(tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None) for i in range(0, len(tokens), 2)]
    return [(tokens[0], " ".join(tokens[1:]))]


def _measurement(text: str, view: CleanView, at: int, name: str, unit: str | None, value_text: str,
                 ref_text: str | None, analyte: lexicon.Analyte | None, group: str | None, time_point: str | None,
                 category: str) -> Measurement:
    s, e = view.span(at, at + len(value_text))
    value = comparator = qualitative = None
    v = value_text.strip()
    if v in ("−", "–", "-"):
        qualitative = "negative"
    elif v == "+":
        qualitative = "positive"
    else:
        mv = re.fullmatch(r"([<>≤≥]=?)?\s?(\d+(?:\.\d+)?)", v)
        if mv:
            comparator, value = mv.group(1), float(mv.group(2))
    low = high = ref_qual = None
    if ref_text:
        low, high, ref_qual = parse_reference(ref_text)
        if ref_text.strip() in ("−", "–", "-"):
            ref_qual = "negative"
    flag = flag_of(value, comparator, qualitative, low, high, ref_qual)
    return Measurement(name=re.sub(r"\s*[−–-]$", "", name), analyte=analyte.key if analyte else _key(name),
                       span=Span(s, e, text[s:e]), value=value, comparator=comparator, qualitative=qualitative,
                       unit=unit.strip() if unit else None, ref_low=low, ref_high=high, ref_text=ref_text, flag=flag,
                       hpo_id=_hpo_for(analyte, flag, qualitative), category=category, group=group,
                       time_point=time_point)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9%]+", "_", name.lower()).strip("_")


# -- vital signs in prose --------------------------------------------------------------------------------
def vital_signs(text: str, start: int, end: int) -> list[Measurement]:
    view = CleanView.of(text, start, end)
    out = []
    for vs in lexicon.VITAL_SIGNS:
        for m in re.finditer(vs.pattern, view.clean, re.IGNORECASE):
            value = float(m.group("v"))
            s, e = view.span(m.start(), m.end())
            flag = flag_of(value, None, None, vs.low, vs.high, None) if vs.low is not None else None
            hpo = vs.hpo_low if flag == "low" else vs.hpo_high if flag == "high" else None
            ref = f"{vs.low:g}-{vs.high:g}" if vs.low is not None and vs.high is not None else None
            out.append(Measurement(name=vs.key.replace("_", " "), analyte=vs.key, span=Span(s, e, text[s:e]), value=value,
                                   unit=vs.unit, ref_low=vs.low, ref_high=vs.high, ref_text=ref,
                                   ref_source="standard" if ref else "document", flag=flag, hpo_id=hpo,
                                   category=vs.category))
            if "v2" in m.groupdict() and m.group("v2"):
                dia = float(m.group("v2"))
                dflag = flag_of(dia, None, None, 60, 89, None)
                out.append(Measurement(name="diastolic blood pressure", analyte="diastolic_blood_pressure",
                                       span=Span(s, e, text[s:e]), value=dia, unit=vs.unit, ref_low=60, ref_high=89,
                                       ref_text="60-89", ref_source="standard", flag=dflag,
                                       hpo_id="HP:0005117" if dflag == "high" else None, category=vs.category))
    return sorted(out, key=lambda m: (m.span.start, m.analyte))
