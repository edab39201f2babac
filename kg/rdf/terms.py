"""N-Triples term strings: the cheap, exact representation the mappings produce.

An rdflib ``Graph`` of two million triples costs minutes and gigabytes, so mappings build
the N-Triples text of each term directly; these helpers own the escaping rules.
"""

from __future__ import annotations

import re

from kg.curie import is_iri

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
XSD_DECIMAL = XSD + "decimal"
XSD_BOOLEAN = XSD + "boolean"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"

Triple = tuple[str, str, str]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\b\f\x00-\x08\x0b\x0e-\x1f\x7f]')


def check_iri(value: str) -> str:
    """Return ``value`` if it is an absolute IRI (RFC 3987, as parsers check it), else raise ValueError."""
    if not is_iri(value):
        raise ValueError(f"not a valid absolute IRI: {value!r}")
    return value


def iri(value: str) -> str:
    """``<value>`` after checking the IRI is absolute and has no forbidden characters."""
    return "<" + check_iri(value) + ">"


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, text) if _NEEDS_ESCAPE.search(text) else text


def literal(value: object, datatype: str | None = None, *, lang: str | None = None) -> str:
    """N-Triples literal; Python bools/ints/floats get their XSD datatype automatically."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD_BOOLEAN}>'
    if isinstance(value, int) and datatype is None:
        return f'"{value}"^^<{XSD_INTEGER}>'
    if isinstance(value, float) and datatype is None:
        return f'"{format_double(value)}"^^<{XSD_DOUBLE}>'
    text = escape(str(value))
    if lang:
        return f'"{text}"@{lang}'
    if datatype and datatype != XSD_STRING:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def format_double(value: float) -> str:
    """Canonical-enough xsd:double: shortest repr, always with an exponent-free decimal point."""
    text = repr(float(value))
    if "e" in text or "E" in text or "inf" in text or "nan" in text:
        return text.upper().replace("INF", "INF").replace("NAN", "NaN")
    return text


TRUE = literal(True)
FALSE = literal(False)
