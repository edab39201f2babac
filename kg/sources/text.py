"""Document text: bytes -> text (encoding detection, HTML -> text with headings), and a cleaned view.

Readers work on one string, the document *text*, and every span they report is a pair of
character offsets into it. For plain text that is the decoded file, byte for byte; for HTML
it is the text this module renders (block elements on their own lines, list items as
"  • item", headings remembered with their offsets), which is deterministic.

Text extracted from PDFs splits words at line ends ("recur-\\nring") and leaves a space
after hyphens ("iron- deficiency"). :class:`CleanView` repairs that for matching while
keeping a map from every cleaned character back to its offset in the document text, so
spans found in the clean view still point at the original.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kg.docrecords import DateValue
from kg.errors import InputError

BULLET = "•"


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    start: int
    end: int
    level: int


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded document: its text, how it was decoded, and headings (HTML only)."""

    text: str
    media_type: str
    encoding: str
    sha256: str  # of the raw bytes
    headings: tuple[Heading, ...] = ()

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# -- decoding -------------------------------------------------------------------------------------
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|p|h[1-6]|section|article)\b",
                         re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)


def decode(raw: bytes, *, path: str, declared: str | None = None) -> tuple[str, str]:
    """Decode document bytes: BOM, declared charset, UTF-8, then Windows-1252. Refuses empty/binary."""
    if not raw.strip():
        raise InputError("empty document", path=path)
    if raw.startswith(codecs.BOM_UTF8):
        return _strict(raw[3:], "utf-8", path), "utf-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(raw, "utf-16", path), "utf-16"
    if b"\x00" in raw[:8192]:
        raise InputError("binary file (NUL bytes), not a text or HTML document", path=path)
    candidates = []
    if declared:
        candidates.append(declared)
    meta = _META_CHARSET.search(raw[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii"))
    candidates += ["utf-8", "cp1252"]
    text = None
    for encoding in candidates:
        try:
            codecs.lookup(encoding)
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        break
    if text is None:
        text, encoding = raw.decode("latin-1"), "latin-1"
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text[:8192]) // 50):
        raise InputError("binary file (control bytes), not a text or HTML document", path=path)
    return text, codecs.lookup(encoding).name


def _strict(raw: bytes, encoding: str, path: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid {encoding} despite its byte-order mark: {exc}", path=path) from exc


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text))


def read_handle(handle: object, *, path: str, media_type: str | None = None) -> SourceText:
    """Read an open handle (binary, or text which is taken as UTF-8) into a :class:`SourceText`."""
    raw = handle.read()  # type: ignore[attr-defined]
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return load_text(raw, path=path, media_type=media_type)


def load_text(raw: bytes, *, path: str, media_type: str | None = None, charset: str | None = None) -> SourceText:
    """Bytes of a document (plain text or HTML) -> :class:`SourceText`; InputError names the file."""
    sha = hashlib.sha256(raw).hexdigest()
    text, encoding = decode(raw, path=path, declared=charset)
    is_html = (media_type or "").startswith(("text/html", "application/xhtml")) or looks_like_html(text)
    if is_html:
        rendered, headings = html_to_text(text, path=path)
        return SourceText(rendered, "text/html", encoding, sha, headings)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty document", path=path)
    return SourceText(text, "text/plain", encoding, sha)


# -- HTML -----------------------------------------------------------------------------------------
_BLOCK = {"p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "ul", "ol", "table",
          "tr", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dl", "dt", "dd", "blockquote", "pre",
          "form", "figure", "figcaption", "address", "body", "html", "tbody", "thead"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skip = 0
        self.stack: list[str] = []
        self.heading: tuple[int, int] | None = None  # (level, start)
        self.headings: list[Heading] = []
        self.stray_end_tags = 0
        self.pending_space = False

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self._emit("\n")
        self.pending_space = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        if tag not in _VOID:
            self.stack.append(tag)
        if tag in _BLOCK:
            self._newline()
            if tag in ("p", "div", "section", "table") and self.parts and not "".join(self.parts[-2:]).endswith("\n\n"):
                self._emit("\n")
        if tag == "li":
            self._emit(f"  {BULLET} ")
        if tag in ("td", "th") and self.parts and not self.parts[-1].endswith("\n"):
            if self.parts[-1].endswith(" "):
                self.parts[-1] = self.parts[-1][:-1]
                self.length -= 1
            self._emit("\t")
        if tag in _HEADINGS:
            self.heading = (_HEADINGS[tag], self.length)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            self.stray_end_tags += 1
            return
        while self.stack:
            top = self.stack.pop()
            if top in _SKIP:
                self.skip -= 1
            if top == tag:
                break
        if tag in _HEADINGS and self.heading is not None:
            level, start = self.heading
            text = "".join(self.parts)[start:].strip()
            if text:
                lead = len("".join(self.parts)[start:]) - len("".join(self.parts)[start:].lstrip())
                self.headings.append(Heading(text, start + lead, start + lead + len(text), level))
            self.heading = None
        if tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        if "pre" in self.stack:
            self._emit(data)
            return
        collapsed = re.sub(r"\s+", " ", data.replace("\xa0", " "))
        if not collapsed.strip():
            if self.parts and not self.parts[-1].endswith(("\n", " ")):
                self.pending_space = True
            return
        if collapsed.startswith(" ") and self.parts and self.parts[-1].endswith(("\n", " ")):
            collapsed = collapsed.lstrip()
        if self.pending_space and not collapsed.startswith(" ") and self.parts and not self.parts[-1].endswith("\n"):
            collapsed = " " + collapsed
        self.pending_space = False
        self._emit(collapsed)


def html_to_text(html: str, *, path: str) -> tuple[str, tuple[Heading, ...]]:
    """Render HTML as text with headings; truncated or unterminated markup is an InputError."""
    renderer = _Renderer()
    try:
        renderer.feed(html)
        leftover = renderer.rawdata  # what the parser could not consume: an unterminated tag/comment
        renderer.close()
    except AssertionError as exc:  # html.parser signals some malformed declarations this way
        raise InputError(f"broken HTML: {exc}", path=path) from exc
    if leftover.strip():
        raise InputError(f"broken HTML: unterminated markup at the end: {leftover.strip()[:40]!r}", path=path)
    if renderer.skip > 0:
        raise InputError("broken HTML: <script>/<style> element never closed", path=path)
    opened_body = re.search(r"<body\b", html, re.IGNORECASE)
    if opened_body and not re.search(r"</body\s*>", html, re.IGNORECASE):
        raise InputError("broken HTML: <body> is never closed (truncated page?)", path=path)
    if renderer.stray_end_tags > max(3, html.count("<") // 20):
        raise InputError(f"broken HTML: {renderer.stray_end_tags} closing tags without an opening tag", path=path)
    text = "".join(renderer.parts)
    # trim trailing spaces on lines without moving heading offsets: only strip at the very end
    text = text.rstrip() + "\n"
    if not text.strip():
        raise InputError("HTML without any text", path=path)
    return text, tuple(renderer.headings)


# -- cleaned view for matching --------------------------------------------------------------------
@dataclass
class CleanView:
    """``clean`` is ``text[start:end]`` with PDF hyphenation and line breaks repaired; ``offsets[i]``
    is the document offset of ``clean[i]`` (one extra entry for the end)."""

    clean: str
    offsets: list[int] = field(repr=False)

    @classmethod
    def of(cls, text: str, start: int = 0, end: int | None = None) -> CleanView:
        end = len(text) if end is None else end
        out: list[str] = []
        offs: list[int] = []
        i = start
        while i < end:
            ch = text[i]
            if ch == "-" and out and out[-1].isalnum():
                # "recur-\nring" -> "recurring" (a word split at a line end); "adult- \nonset", with a
                # space before the line end, is a real hyphen and falls through to the next rule
                j = i + 1
                while j < end and text[j] in " \t":
                    j += 1
                if j == i + 1 and j < end and text[j] == "\n":
                    k = j + 1
                    while k < end and text[k] in " \t\n":
                        k += 1
                    if k < end and text[k].islower() and out[-1].islower():
                        i = k
                        continue
                # "iron- deficiency" -> "iron-deficiency" (PDF space after a hyphen)
                if j < end and text[j] == "\n":
                    j += 1
                    while j < end and text[j] in " \t":
                        j += 1
                if j > i + 1 and j < end and text[j].isalnum():
                    out.append("-")
                    offs.append(i)
                    i = j
                    continue
            if ch in " \t\n\r\xa0\u2009\u202f":
                j = i
                while j < end and text[j] in " \t\n\r\xa0\u2009\u202f":
                    j += 1
                if out and out[-1] != " ":
                    out.append(" ")
                    offs.append(i)
                i = j
                continue
            out.append(ch)
            offs.append(i)
            i += 1
        offs.append(end)
        return cls("".join(out), offs)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets of ``clean[start:end]``."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


# -- sentences, lists, dates ----------------------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\[\d+\])*\s+(?=[A-Z0-9\"“(])|\n\s*\n")
_ABBREV_END = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Dr|Mr|Mrs|Ms|St|No|Fig|approx|eg|ie)|\b[A-Z])\.$")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence boundaries (document offsets) within ``text[start:end]``."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if _ABBREV_END.search(text[max(pos, m.start() - 12):m.start()]):
            continue
        if text[pos:m.start()].strip():
            out.append(_trim(text, pos, m.start()))
        pos = m.end()
    if text[pos:end].strip():
        out.append(_trim(text, pos, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_list(text: str) -> list[tuple[int, int]]:
    """Items of an enumeration "a, b, and c" / "a or b" as (start, end) offsets into ``text``."""
    items: list[tuple[int, int]] = []
    depth = 0
    pos = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            sep = None
            if ch in ",;":
                sep = 1
                m = re.match(r"[,;]\s*(?:and|or)\s+", text[i:])
                if m:
                    sep = m.end()
            else:
                m = re.match(r"\s+(?:and|or|as well as)\s+", text[i:])
                if m and i > 0:
                    sep = m.end()
            if sep:
                items.append(_trim(text, pos, i))
                i += sep
                pos = i
                continue
        i += 1
    items.append(_trim(text, pos, len(text)))
    return [(s, e) for s, e in items if e > s]


def bullet_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Bulleted or numbered list items (document offsets) within ``text[start:end]``."""
    out = []
    for m in re.finditer(r"^[ \t]*(?:[•●▪◦‣∙·*\-–]|\d{1,3}[.)])[ \t]+(\S[^\n]*)$", text[start:end], re.MULTILINE):
        s, e = _trim(text, start + m.start(1), start + m.end(1))
        out.append((s, e))
    return out


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


def parse_date(raw: str, *, order: str = "MDY") -> DateValue:
    """A printed date -> ISO when the reading is certain. ``order`` is the source's known convention
    (GARD prints month/day/year); a two-part-ambiguous date in an unknown convention keeps ``iso=None``."""
    s = raw.strip()
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000
        if order == "MDY":
            month, day = a, b
        elif order == "DMY" or a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a:
            month, day = a, b
        elif a == b:
            month = day = a
        else:
            return DateValue(raw)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return DateValue(raw, f"{y:04d}-{month:02d}-{day:02d}")
        return DateValue(raw)
    m = re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", s)
    if m and m.group(1).lower() in _MONTHS:
        return DateValue(raw, f"{int(m.group(3)):04d}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return DateValue(raw, s)
    return DateValue(raw)


_HEADING_LINE = re.compile(r"[A-Z][A-Za-z'’&/,\- ]{1,60}[A-Za-z)]")


def heading_lines(text: str, start: int = 0, end: int | None = None) -> list[Heading]:
    """Lines of plain text that look like headings: short, no sentence punctuation, a blank line
    (or the start) before them. HTML headings come from the markup instead."""
    end = len(text) if end is None else end
    out = []
    for m in re.finditer(r"^[ \t]*(\S[^\n]*?)[ \t]*$", text[start:end], re.MULTILINE):
        line = m.group(1)
        s = start + m.start(1)
        words = line.split()
        if not 1 <= len(words) <= 7 or not _HEADING_LINE.fullmatch(line) or line.endswith((".", ":", ",", ";")):
            continue
        line_start = text.rfind("\n", 0, s) + 1
        prev_end = line_start - 1
        prev_start = text.rfind("\n", 0, max(prev_end, 0)) + 1
        if prev_end > 0 and text[prev_start:prev_end].strip():
            continue  # not after a blank line: a wrapped sentence, not a heading
        out.append(Heading(line, s, s + len(line), 0))
    return out
