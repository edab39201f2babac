"""Disease identity: which OMIM / Orphanet entry a document is about, and why.

Evidence, strongest first:

* ``identifier-in-document`` -- an OMIM/ORPHA identifier printed in the document (e.g. an
  omim.org/entry link in the references) whose HPOA name equals one of the document's names;
* ``primary-name`` / ``inverted-title`` -- the document's disease name equals an HPOA disease name,
  directly or in OMIM's inverted form ("Hemochromatosis, neonatal" = "neonatal hemochromatosis");
* ``synonym`` / ``abbreviation`` -- only an "Other Names" synonym matches.

Per namespace (OMIM, ORPHA) one candidate with strong evidence is an exact match; several strong
candidates are *ambiguous* and none is linked; a synonym-only candidate is a close match when it is
the only one and no strong candidate exists, otherwise it is reported and left out. Nothing is
guessed: every link carries its justification and every refusal is written into the resolution's
``problems``. The disease node is the Orphanet entry when resolved (Orphanet, like GARD and case
reports, describes clinical entities), else the OMIM entry, so a GARD page and a case report about
the same disease meet on the same node, which is also the node of the HPO annotations.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg import paths
from kg.docrecords import DiseaseLink, DiseaseName, DocumentRecord, Resolution
from kg.report import Report

STRONG = ("identifier-in-document", "primary-name", "inverted-title")
NAMESPACES = ("ORPHA", "OMIM")
_SPELLING = ((r"haem", "hem"), (r"aemia", "emia"), (r"oedema", "edema"), (r"oesoph", "esoph"), (r"aetiol", "etiol"),
             (r"paed", "ped"), (r"leukaem", "leukem"), (r"tumour", "tumor"), (r"coeliac", "celiac"))
_QUALIFIER = re.compile(r"^(?:with|without|due to|type|autosomal|x-linked|associated|susceptibility|from|in|of|and)\b")


def normalise(name: str) -> str:
    """Comparable form of a disease name: case, accents, British spellings, punctuation, brackets."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"\([^)]*\)", " ", s)
    for a, b in _SPELLING:
        s = re.sub(a, b, s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def uninvert(name: str) -> str | None:
    """OMIM's inverted title in natural order: "Hemosiderosis, pulmonary, with X" -> "pulmonary hemosiderosis with X"."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    head, modifiers, tail = parts[0], [], []
    for p in parts[1:]:
        (tail if _QUALIFIER.match(p.lower()) or re.match(r"\d", p) or tail else modifiers).append(p)
    if not modifiers:
        return None
    return " ".join(list(reversed(modifiers)) + [head] + tail)


@dataclass
class DiseaseIndex:
    """HPOA disease names by normalised name (direct and un-inverted)."""

    names: dict[str, str] = field(default_factory=dict)  # curie -> name
    direct: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    inverted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> DiseaseIndex:
        index = cls()
        for curie, name in pairs:
            if curie in index.names or curie.split(":")[0] not in NAMESPACES:
                continue
            index.names[curie] = name
            index.direct[normalise(name)].add(curie)
            natural = uninvert(name)
            if natural:
                index.inverted[normalise(natural)].add(curie)
        return index

    @classmethod
    def from_annotations(cls, annotations: Iterable[object]) -> DiseaseIndex:
        """From ``kg.model.Annotation`` records (``disease_id`` / ``disease_name``)."""
        return cls.from_pairs((a.disease_id, a.disease_name) for a in annotations)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: Path | str | None = None) -> DiseaseIndex:
        """The disease names of phenotype.hpoa (its first two columns; the full rows are not needed)."""
        path = Path(path or paths.HPOA)
        opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open

        def pairs() -> Iterable[tuple[str, str]]:
            with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
                for line in handle:
                    if line.startswith(("#", "database_id")):
                        continue
                    cols = line.split("\t", 2)
                    if len(cols) >= 2:
                        yield cols[0], cols[1]
        return cls.from_pairs(pairs())

    def lookup(self, name: str) -> dict[str, str]:
        """curie -> how ``name`` matched ("direct" or "inverted")."""
        key = normalise(name)
        out = {c: "direct" for c in self.direct.get(key, ())}
        for c in self.inverted.get(key, ()):
            out.setdefault(c, "inverted")
        return out


def resolve_name(disease: DiseaseName, index: DiseaseIndex) -> Resolution:
    """Resolve a document's disease (name, synonyms, abbreviations, printed identifiers)."""
    evidence: dict[str, dict[str, str]] = defaultdict(dict)  # curie -> kind -> justification
    names = [disease.name, *disease.synonyms]
    for curie, how in index.lookup(disease.name).items():
        kind = "primary-name" if how == "direct" else "inverted-title"
        evidence[curie][kind] = f"document name {disease.name!r} equals the HPOA name {index.names[curie]!r}" + \
            (" (OMIM inverted title)" if how == "inverted" else "")
    for syn in disease.synonyms:
        for curie, how in index.lookup(syn).items():
            evidence[curie].setdefault("synonym", f"document synonym {syn!r} equals the HPOA name {index.names[curie]!r}")
    problems: list[str] = []
    for curie in disease.identifiers:
        if curie.split(":")[0] not in NAMESPACES:
            continue
        hpoa_name = index.names.get(curie)
        if hpoa_name is None:
            problems.append(f"{curie} is printed in the document but is not a disease of the HPO annotations")
            continue
        if any(normalise(n) in (normalise(hpoa_name), normalise(uninvert(hpoa_name) or "")) for n in names):
            evidence[curie]["identifier-in-document"] = f"{curie} is printed in the document and its HPOA name " \
                f"{hpoa_name!r} equals a name the document uses"
        else:
            problems.append(f"{curie} ({hpoa_name!r}) is printed in the document but none of its names match; not linked")
    links: list[DiseaseLink] = []
    chosen: dict[str, str] = {}
    for ns in NAMESPACES:
        cands = {c: ev for c, ev in evidence.items() if c.startswith(ns + ":")}
        strong = sorted(c for c, ev in cands.items() if any(k in STRONG for k in ev))
        weak = sorted(c for c in cands if c not in strong)
        if len(strong) == 1:
            c = strong[0]
            chosen[ns] = c
            links.append(DiseaseLink(c, "exact", "; ".join(cands[c][k] for k in sorted(cands[c])), tuple(sorted(cands[c]))))
            for w in weak:
                problems.append(f"{w} ({index.names[w]!r}) matches only a synonym and {c} is better supported; not linked")
        elif len(strong) > 1:
            problems.append(f"ambiguous: {', '.join(strong)} all match {disease.name!r}; none linked")
        elif len(weak) == 1:
            c = weak[0]
            chosen[ns] = c
            links.append(DiseaseLink(c, "close", "; ".join(cands[c][k] for k in sorted(cands[c])), tuple(sorted(cands[c]))))
        elif len(weak) > 1:
            problems.append(f"ambiguous: synonyms match {', '.join(weak)}; none linked")
    node = chosen.get("ORPHA") or chosen.get("OMIM")
    status = "resolved" if node else ("ambiguous" if any(p.startswith("ambiguous") for p in problems) else "unresolved")
    if not node and not problems:
        problems.append(f"no HPOA disease is named {disease.name!r}")
    return Resolution(disease.name, status, node, tuple(links), tuple(problems))


def resolve(record: DocumentRecord, index: DiseaseIndex, *, report: Report | None = None) -> DocumentRecord:
    """The record with its disease (and a case's diagnoses) resolved; problems also go to ``report``."""
    resolution = resolve_name(record.disease, index)
    if report is not None:
        for problem in resolution.problems:
            report.warning("documents/disease-identity", problem, path=record.document.source)
    case = record.case
    if case is not None:
        diagnoses = []
        for d in case.diagnoses:
            same = normalise(d.name) in {normalise(n) for n in (record.disease.name, *record.disease.abbreviations)}
            r = resolution if same else resolve_name(DiseaseName(d.name), index)
            diagnoses.append(replace(d, resolution=r))
        case = replace(case, diagnoses=tuple(diagnoses))
    return replace(record, resolution=resolution, case=case)
