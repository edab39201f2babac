"""Document records -> N-Triples terms (docs/model.md, "Documents").

Every statement read from a document is its own association node (never merged with other
sources) carrying the matched words, the character span, the source document and the
knowledge source; the direct triple (``disease biolink:has_phenotype HP:x``) is written only for
statements that are not negated, so an excluded finding lives on its association node alone.
IRIs are deterministic hashes of the document sha256 and the statement, so the same records give
byte-identical output. Only vocabulary from ``kg.rdf.vocab`` is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from kg.curie import DEFAULT_BASE, Curie, normalise_base
from kg.docrecords import Case, Diagnosis, DocumentRecord, Kind, Measurement, Span, Treatment
from kg.errors import CurieError
from kg.model import SEX_PATO, Sex
from kg.rdf.iri import digest, mint
from kg.rdf.terms import XSD_DATE, XSD_DECIMAL, Triple, iri, literal
from kg.rdf.vocab import BIOLINK, DCTERMS, INFORES, OBOINOWL, PAV, PROV, RDF, RDFS, RDKGV, SCHEMA, SKOS, n3

A = n3(RDF.type)
KIND_CLASS = {Kind.GARD: RDKGV.GardPage, Kind.QA: RDKGV.QuestionAnswerPage, Kind.CASE_REPORT: RDKGV.CaseReport}
TRUE, FALSE = literal(True), literal(False)


def curie_iri(curie: str) -> str:
    return iri(Curie.parse(curie).iri)


def _dec(value: float) -> str:
    """xsd:decimal in its shortest form (six decimals at most): 0.24, 1000, 2.5."""
    return literal(f"{value:.6f}".rstrip("0").rstrip("."), XSD_DECIMAL)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "x"


class _Mapper:
    """Maps one record; ``emit`` collects triples (deduplicated by the caller)."""

    def __init__(self, record: DocumentRecord, base: str) -> None:
        self.r = record
        self.base = base
        self.sha = record.document.sha256
        self.doc = iri(f"{base}document/{self.sha[:16]}")
        kind = record.document.kind
        if kind == Kind.CASE_REPORT:
            self.infores, self.level = iri(str(INFORES["rdkg"])), literal("observation")
        elif kind == Kind.QA and "rareguru" in record.document.source.lower():
            self.infores, self.level = iri(str(INFORES["rareguru"])), literal("knowledge_assertion")
        else:
            self.infores, self.level = iri(str(INFORES["gard"])), literal("knowledge_assertion")
        self.out: list[Triple] = []
        self.disease = self._disease_node()

    def t(self, s: str, p: object, o: str) -> None:
        self.out.append((s, n3(p) if not isinstance(p, str) or not p.startswith("<") else p, o))  # type: ignore[arg-type]

    def node(self, kind: str, key: str) -> str:
        return iri(f"{self.base}{kind}/{digest(self.sha + '|' + key)}")

    def assoc(self, subject: str, predicate: object, obj: str, span: Span | None, *, negated: bool = False,
              classes: Iterable[object] = (), direct: bool = True, key: str = "") -> str:
        pred = n3(predicate)  # type: ignore[arg-type]
        start, end = (span.start, span.end) if span else (-1, -1)
        a = iri(mint("association", "doc", f"{self.sha}|{self.r.document.kind.value}|{start}|{end}|{pred}|{obj}|{key}",
                     base_iri=self.base))
        self.t(a, RDF.type, n3(BIOLINK.Association))
        for cls in classes:
            self.t(a, RDF.type, n3(cls))  # type: ignore[arg-type]
        self.t(a, RDF.subject, subject)
        self.t(a, RDF.predicate, pred)
        self.t(a, RDF.object, obj)
        self.t(a, BIOLINK.negated, TRUE if negated else FALSE)
        if span is not None:
            self.t(a, BIOLINK.supporting_text, literal(re.sub(r"\s+", " ", span.text).strip()))
            self.t(a, RDKGV.spanStart, literal(span.start))
            self.t(a, RDKGV.spanEnd, literal(span.end))
        self.t(a, PROV.wasDerivedFrom, self.doc)
        self.t(a, BIOLINK.primary_knowledge_source, self.infores)
        self.t(a, BIOLINK.knowledge_level, self.level)
        self.t(a, BIOLINK.agent_type, literal("text_mining_agent"))
        if direct and not negated:
            self.t(subject, pred, obj)
        return a

    # -- nodes ------------------------------------------------------------------------------------
    def _disease_node(self) -> str:
        res = self.r.resolution
        if res is not None and res.node:
            return curie_iri(res.node)
        return iri(f"{self.base}disease/{_slug(self.r.disease.name)}")

    def disease_for(self, d: Diagnosis) -> str:
        if d.resolution is not None and d.resolution.node:
            return curie_iri(d.resolution.node)
        node = iri(f"{self.base}disease/{_slug(re.sub(r'[(].*?[)]', '', d.name))}")
        self.t(node, RDF.type, n3(BIOLINK.Disease))
        self.t(node, RDFS.label, literal(d.name))
        return node

    def treatment_node(self, t: Treatment) -> str:
        chebi = next((c for c in t.identifiers if c.startswith("CHEBI:")), None)
        node = curie_iri(chebi) if chebi else iri(f"{self.base}treatment/{_slug(t.name)}")
        cls = BIOLINK.Drug if t.category in ("drug", "drug-class") else BIOLINK.Procedure \
            if t.category == "procedure" else BIOLINK.Treatment
        self.t(node, RDF.type, n3(cls))
        self.t(node, RDFS.label, literal(t.name))
        for ident in t.identifiers:
            if ident != chebi:
                self.t(node, SKOS.exactMatch, curie_iri(ident))
        return node

    # -- mapping ----------------------------------------------------------------------------------
    def run(self) -> list[Triple]:
        r, doc = self.r, self.doc
        d = r.document
        self.t(doc, RDF.type, n3(BIOLINK.Publication))
        self.t(doc, RDF.type, n3(KIND_CLASS[d.kind]))
        self.t(doc, RDKGV.documentKind, literal(d.kind.value))
        self.t(doc, DCTERMS.source, iri(d.source) if re.match(r"https?://\S+$", d.source) else literal(d.source))
        self.t(doc, RDKGV.sha256, literal(d.sha256))
        self.t(doc, RDKGV.textSha256, literal(d.text_sha256))
        self.t(doc, DCTERMS.format, literal(d.media_type))
        self.t(doc, DCTERMS.title, literal(r.disease.name))
        if d.retrieved:
            self.t(doc, PAV.retrievedOn, literal(d.retrieved, XSD_DATE))
        for date in {x.iso or x.raw: x for x in r.dates}.values():
            self.t(doc, DCTERMS.modified, literal(date.iso, XSD_DATE) if date.iso else literal(date.raw))
        self._identity()
        self._disease_facts()
        self._references()
        self._organisations_questions()
        if r.case is not None:
            self._case(r.case)
        return self.out

    def _identity(self) -> None:
        r, s = self.r, self.disease
        self.t(s, RDF.type, n3(BIOLINK.Disease))
        if r.resolution is None or not r.resolution.node:
            self.t(s, RDFS.label, literal(r.disease.name))
        self.assoc(s, DCTERMS.subject, self.doc, r.disease.span, direct=False, key="about")
        self.t(self.doc, DCTERMS.subject, s)
        for syn in r.disease.synonyms:
            self.assoc(s, OBOINOWL.hasRelatedSynonym, literal(syn), None, key=syn)
        for abbr in r.disease.abbreviations:
            self.t(s, SKOS.altLabel, literal(abbr))
        if r.resolution is None:
            return
        for link in r.resolution.links:
            target = curie_iri(link.curie)
            if target == s:
                continue
            pred = SKOS.exactMatch if link.match == "exact" else SKOS.closeMatch
            a = self.assoc(s, pred, target, None, key=link.curie)
            self.t(a, RDKGV.justification, literal(link.justification))
            for ev in link.evidence:
                self.t(a, RDKGV.evidence, literal(ev))
        for link in r.resolution.links:
            if curie_iri(link.curie) == s:
                self.t(self.doc, RDKGV.justification, literal(f"{link.curie}: {link.justification}"))
        for note in r.resolution.problems:
            self.t(self.doc, RDKGV.resolutionNote, literal(note))

    def _disease_facts(self) -> None:
        r, s = self.r, self.disease
        for p in r.phenotypes:
            a = self.assoc(s, BIOLINK.has_phenotype, curie_iri(p.hpo_id), p.span, negated=p.negated,
                           classes=[BIOLINK.DiseaseToPhenotypicFeatureAssociation])
            self.t(a, RDKGV.origin, literal(p.origin))
            self.t(a, RDKGV.section, literal(p.section))
            if p.layperson:
                self.t(a, RDKGV.laypersonLabel, literal(p.layperson))
        for i in r.inheritance:
            if i.hpo_id:
                a = self.assoc(s, BIOLINK.has_mode_of_inheritance, curie_iri(i.hpo_id), i.span,
                               classes=[BIOLINK.DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation])
                self.t(a, RDKGV.origin, literal(i.origin))
            if i.inherited is False:
                self.assoc(s, RDKGV.isInherited, FALSE, i.span)
            if i.recurrence_percent is not None:
                a = self.assoc(s, RDKGV.recurrenceRiskPercent, literal(float(i.recurrence_percent)), i.span)
                self.t(a, BIOLINK.has_percentage, literal(float(i.recurrence_percent)))
        for c in r.causes:
            a = self.assoc(s, RDKGV.causeStatus, literal(c.status), c.span)
            if c.agent:
                self.t(a, RDKGV.agent, literal(c.agent))
        for o in r.onsets:
            obj = curie_iri(o.hpo_id) if o.hpo_id else literal(re.sub(r"\s+", " ", o.span.text))
            a = self.assoc(s, BIOLINK.has_attribute, obj, o.span, direct=o.hpo_id is not None, key="onset")
            if o.min_years is not None:
                self.t(a, RDKGV.onsetMinYears, _dec(o.min_years))
            if o.max_years is not None:
                self.t(a, RDKGV.onsetMaxYears, _dec(o.max_years))
        for t in r.treatments:
            node = self.treatment_node(t)
            pred = RDKGV.appliedToPrevent if t.purpose == "prevention" else BIOLINK.applied_to_treat
            a = self.assoc(node, pred, s, t.span, negated=t.negated,
                           classes=[BIOLINK.ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation])
            if t.population:
                self.t(a, RDKGV.population, literal(t.population))
        for p in r.procedures:
            node = iri(f"{self.base}procedure/{_slug(p.name)}")
            self.t(node, RDF.type, n3(BIOLINK.Procedure))
            self.t(node, RDFS.label, literal(p.name))
            self.assoc(s, RDKGV.diagnosedBy, node, p.span)
        for f in r.prognosis:
            self.assoc(s, RDKGV.prognosisFactor, literal(f.factor), f.span)
        for c in r.complications:
            self.assoc(s, RDKGV.complication, curie_iri(c.hpo_id) if c.hpo_id else literal(c.name), c.span)
        for p in r.prevalence:
            q = self.node("prevalence", f"{p.span.start}|{p.span.end}")
            self.t(q, RDF.type, n3(SCHEMA.QuantitativeValue))
            self.t(q, SCHEMA.minValue, _dec(p.low))
            self.t(q, SCHEMA.maxValue, _dec(p.high))
            self.t(q, RDKGV.perPopulation, literal(p.per))
            self.t(q, SCHEMA.unitText, literal(f"per {p.per:,} {p.population}"))
            self.t(q, RDKGV.measure, literal(p.measure))
            self.t(q, RDKGV.population, literal(p.population))
            a = self.assoc(s, RDKGV.prevalence, q, p.span)
            self.t(a, BIOLINK.has_quotient, literal(p.low / p.per))
        for res in r.resources:
            self.assoc(self.doc, RDKGV.namesResource, literal(res.name), res.span)

    def _references(self) -> None:
        for ref in self.r.references:
            node = self.node("reference", str(ref.number))
            self.t(self.doc, DCTERMS.references, node)
            self.t(node, RDF.type, n3(BIOLINK.Publication))
            self.t(node, RDKGV.referenceNumber, literal(ref.number))
            self.t(node, DCTERMS.bibliographicCitation, literal(re.sub(r"\s+", " ", ref.span.text).strip()))
            if ref.title:
                self.t(node, DCTERMS.title, literal(ref.title))
            if ref.journal:
                self.t(node, RDKGV.journal, literal(ref.journal))
            if ref.year:
                self.t(node, DCTERMS.date, literal(str(ref.year), "http://www.w3.org/2001/XMLSchema#gYear"))
            for author in ref.authors:
                self.t(node, DCTERMS.creator, literal(author))
            for ident in ref.identifiers:
                self.t(node, DCTERMS.identifier, literal(ident))
                try:
                    self.t(node, RDFS.seeAlso, curie_iri(ident))
                    self.t(self.doc, BIOLINK.publications, curie_iri(ident))
                except CurieError:
                    continue
            for url in ref.urls:
                try:
                    self.t(node, SCHEMA.url, iri(url))
                except ValueError:
                    continue

    def _organisations_questions(self) -> None:
        for o in self.r.organisations:
            node = iri(f"{self.base}organisation/{digest(_slug(o.name))}")
            self.t(node, RDF.type, n3(SCHEMA.Organization))
            self.t(node, SCHEMA.name, literal(o.name))
            for pred, value in ((SCHEMA.address, o.address), (SCHEMA.addressCountry, o.country),
                                (SCHEMA.telephone, o.phone), (RDKGV.tollFreeNumber, o.toll_free),
                                (SCHEMA.faxNumber, o.fax), (SCHEMA.email, o.email)):
                if value:
                    self.t(node, pred, literal(value))
            self.assoc(node, RDKGV.supports, self.disease, o.span)
        for q in self.r.questions:
            node = self.node("question", str(q.span.start))
            self.t(self.doc, DCTERMS.hasPart, node)
            self.t(node, RDF.type, n3(RDKGV.Question))
            self.t(node, SCHEMA.name, literal(q.question))
            self.t(node, RDKGV.topic, literal(q.topic))
            self.t(node, RDKGV.spanStart, literal(q.span.start))
            self.t(node, RDKGV.answerStart, literal(q.answer_start))
            self.t(node, RDKGV.answerEnd, literal(q.answer_end))
            if q.last_updated is not None:
                lu = q.last_updated
                self.t(node, DCTERMS.modified, literal(lu.iso, XSD_DATE) if lu.iso else literal(lu.raw))

    def _case(self, case: Case) -> None:
        c = iri(f"{self.base}case/{digest(self.sha)}")
        self.t(c, RDF.type, n3(BIOLINK.Case))
        self.t(c, RDFS.label, literal(f"case report patient ({self.r.disease.name})"))
        self.t(c, PROV.wasDerivedFrom, self.doc)
        self.t(self.doc, RDKGV.describesCase, c)
        if case.sex:
            self.assoc(c, RDKGV.sex, curie_iri(SEX_PATO[Sex(case.sex.upper())]), case.span, key="sex")
        if case.age_min is not None:
            self.t(c, RDKGV.ageMin, _dec(case.age_min))
        if case.age_max is not None:
            self.t(c, RDKGV.ageMax, _dec(case.age_max))
        if case.smoking is not None:
            sm = case.smoking
            node = self.node("smoking", str(sm.span.start))
            self.t(node, RDF.type, n3(RDKGV.SmokingHistory))
            self.t(node, RDKGV.smokingStatus, literal(sm.status))
            for pred, value in ((RDKGV.cigarettesPerDay, sm.per_day), (RDKGV.smokingYears, sm.years),
                                (RDKGV.packYears, sm.pack_years)):
                if value is not None:
                    self.t(node, pred, _dec(value))
            self.assoc(c, RDKGV.smoking, node, sm.span)
        for f in case.findings:
            a = self.assoc(c, BIOLINK.has_phenotype, curie_iri(f.hpo_id), f.span, negated=f.negated,
                           classes=[BIOLINK.CaseToPhenotypicFeatureAssociation], key=f.origin)
            self.t(a, RDKGV.origin, literal(f.origin))
            self.t(a, RDKGV.section, literal(f.section))
        for m in case.measurements:
            self._measurement(c, m)
        for t in case.treatments:
            node = self.treatment_node(t)
            a = self.assoc(c, RDKGV.received, node, t.span)
            for dose in t.doses:
                dn = self.node("dose", f"{dose.span.start}|{dose.span.end}|{t.name}")
                self.t(a, RDKGV.dose, dn)
                self.t(dn, RDF.type, n3(RDKGV.Dose))
                self.t(dn, BIOLINK.supporting_text, literal(re.sub(r"\s+", " ", dose.span.text).strip()))
                self.t(dn, RDKGV.spanStart, literal(dose.span.start))
                self.t(dn, RDKGV.spanEnd, literal(dose.span.end))
                for pred, value in ((RDKGV.doseUnit, dose.unit), (RDKGV.per, dose.per), (RDKGV.route, dose.route),
                                    (RDKGV.frequency, dose.frequency), (RDKGV.durationUnit, dose.duration_unit),
                                    (RDKGV.regimen, dose.regimen)):
                    if value:
                        self.t(dn, pred, literal(value))
                if dose.amount is not None:
                    self.t(dn, RDKGV.doseAmount, _dec(dose.amount))
                if dose.duration_value is not None:
                    self.t(dn, RDKGV.durationValue, _dec(dose.duration_value))
        for d in case.diagnoses:
            target = self.disease_for(d) if not (self.r.resolution and d.resolution == self.r.resolution) else self.disease
            if d.certainty == "excluded":
                a = self.assoc(c, RDKGV.diagnosis, target, d.span, negated=True)
            elif d.certainty == "suspected":
                a = self.assoc(c, RDKGV.suspectedDiagnosis, target, d.span)
            else:
                a = self.assoc(c, RDKGV.diagnosis, target, d.span)
            self.t(a, RDKGV.certainty, literal(d.certainty))
        for o in case.outcomes:
            self.assoc(c, RDKGV.outcome, literal(o.status), o.span)

    def _measurement(self, case: str, m: Measurement) -> None:
        node = self.node("measurement", f"{m.span.start}|{m.span.end}|{m.analyte}")
        self.t(node, RDF.type, n3(BIOLINK.ClinicalMeasurement))
        self.t(node, RDFS.label, literal(m.name))
        self.t(node, RDKGV.analyte, literal(m.analyte))
        self.t(node, RDKGV.measurementCategory, literal(m.category))
        if m.value is not None:
            self.t(node, SCHEMA.value, _dec(m.value))
        for pred, value in ((RDKGV.comparator, m.comparator), (RDKGV.qualitativeValue, m.qualitative),
                            (SCHEMA.unitText, m.unit), (RDKGV.referenceText, m.ref_text), (RDKGV.flag, m.flag),
                            (RDKGV.group, m.group), (RDKGV.timePoint, m.time_point)):
            if value:
                self.t(node, pred, literal(value))
        reversed_range = m.ref_low is not None and m.ref_high is not None and m.ref_low > m.ref_high
        if m.ref_low is not None and not reversed_range:  # a misprinted range ("65-13") stays referenceText only
            self.t(node, SCHEMA.minValue, _dec(m.ref_low))
        if m.ref_high is not None and not reversed_range:
            self.t(node, SCHEMA.maxValue, _dec(m.ref_high))
        if m.ref_text:
            self.t(node, RDKGV.referenceSource, literal(m.ref_source))
        if m.hpo_id:
            self.t(node, RDKGV.indicates, curie_iri(m.hpo_id))
        self.assoc(case, BIOLINK.has_attribute, node, m.span, key=m.analyte)


def document_triples(records: Iterable[DocumentRecord], *, base_iri: str = DEFAULT_BASE) -> Iterator[Triple]:
    """All triples of the given document records, each triple once, in a deterministic order."""
    base = normalise_base(base_iri)
    seen: set[Triple] = set()
    for record in sorted(records, key=lambda r: r.document.sha256):
        for triple in _Mapper(record, base).run():
            if triple not in seen:
                seen.add(triple)
                yield triple

