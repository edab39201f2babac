"""Document text: decoding, HTML rendering with headings, the cleaned view's offset map, dates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError, KgError
from kg.sources.text import CleanView, html_to_text, load_text, parse_date, sentences, split_list


def test_plain_text_is_kept_byte_for_byte():
    src = load_text("Title\r\nLine two é\n".encode(), path="a.txt")
    assert src.media_type == "text/plain" and src.text == "Title\nLine two é\n"


def test_cp1252_is_detected_when_not_utf8():
    src = load_text("Café “quoted”\n".encode("cp1252"), path="a.txt")
    assert src.text.startswith("Café “quoted”") and src.encoding == "cp1252"


@pytest.mark.parametrize("raw, reason", [(b"", "empty"), (b"  \n\t", "empty"), (b"\x00\x01\x02binary", "binary"),
                                         (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20, "binary")])
def test_empty_and_binary_are_refused_naming_the_file(raw, reason):
    with pytest.raises(InputError) as err:
        load_text(raw, path="docs/x.txt")
    assert "docs/x.txt" in str(err.value) and reason in str(err.value)


def test_html_headings_lists_and_cells():
    text, headings = html_to_text("<html><body><h1>Name</h1><p>Para <b>bold</b>.</p><ul><li>one</li><li>two</li></ul>"
                                  "<table><tr><td>A</td><td>B</td></tr></table><script>x</script></body></html>",
                                  path="p.html")
    assert [h.text for h in headings] == ["Name"]
    assert text[headings[0].start:headings[0].end] == "Name"
    assert "Para bold." in text and "  • one\n" in text and "A\tB" in text and "x" not in text.replace("text", "")


@pytest.mark.parametrize("html", ["<html><body><p>cut off <a href=", "<html><body><p>no end</p>",
                                  "<html><body><script>var a = 1;</body></html>"])
def test_broken_html_is_an_input_error(html):
    with pytest.raises(InputError, match="broken HTML"):
        html_to_text(html, path="b.html")


def test_clean_view_repairs_pdf_hyphenation_and_maps_offsets():
    text = "he was hospi-\ntalised with iron- deficiency and adult- \nonset disease"
    view = CleanView.of(text)
    assert view.clean == "he was hospitalised with iron-deficiency and adult-onset disease"
    i = view.clean.index("hospitalised")
    s, e = view.span(i, i + len("hospitalised"))
    assert text[s:e] == "hospi-\ntalised"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_clean_view_offsets_stay_inside_the_text(text):
    view = CleanView.of(text)
    assert len(view.offsets) == len(view.clean) + 1
    assert all(0 <= o <= len(text) for o in view.offsets)
    assert view.offsets == sorted(view.offsets)
    for i, ch in enumerate(view.clean):
        if ch != " " and ch != "-":
            assert text[view.offsets[i]] == ch


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_input_error(raw):
    try:
        src = load_text(raw, path="fuzz")
    except KgError:
        return
    assert src.text.strip()


def test_dates_follow_the_known_convention_and_never_guess():
    assert parse_date("9/5/2017").iso == "2017-09-05"
    assert parse_date("05-01-20", order="?").iso is None
    assert parse_date("12-20-19", order="?").iso == "2019-12-20"
    assert parse_date("January 14, 2015").iso == "2015-01-14"


def test_sentences_and_lists():
    text = "First one, e.g. this. Second [1] here.\n\nThird"
    assert [text[s:e] for s, e in sentences(text)] == ["First one, e.g. this.", "Second [1] here.", "Third"]
    item = "oxygen, blood transfusion (if needed), and surgery"
    assert [item[a:b] for a, b in split_list(item)] == ["oxygen", "blood transfusion (if needed)", "surgery"]
