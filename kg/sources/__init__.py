"""One reader module per kind of source; ``SOURCES`` is the explicit registry.

Each reader takes open handles (paths and downloads live one layer up) and yields typed
records from ``kg.model`` / ``kg.docrecords``; none of them knows RDF. A test fails when a
reader module is missing from the table.
"""

from __future__ import annotations

#: module name under kg.sources -> what it reads
SOURCES: dict[str, str] = {
    "hpoa": "HPO disease annotations, phenotype.hpoa (TSV)",
    "gard": "GARD disease pages (text or HTML)",
    "qa_page": "GARD / RareGuru question-and-answer pages (text or HTML)",
    "case_report": "published case reports (text or HTML), read as one case",
    "documents": "document kind detection, dispatch, extracted-record JSON, directory loading",
}
