"""ingest/decode.py: bytes to text, refusing empty and binary input, gzip with a size limit."""

import gzip

import pytest

from storyline.errors import BinaryInputError, EmptyInputError, IngestError, TooLargeError
from storyline.ingest.decode import decode_bytes, looks_binary, maybe_gunzip

ENGLISH = (
    "The Harbor Times reports that the café on Quay Street in Velmora reopened on Tuesday. "
    "“We are back,” said the owner, Mara Lindqvist, as the first customers queued outside.\n"
)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_input_is_refused(data):
    with pytest.raises(EmptyInputError, match="empty"):
        decode_bytes(data, "story.txt")


def test_errors_name_the_source_and_are_ingest_errors():
    with pytest.raises(IngestError) as info:
        decode_bytes(b"", "harbor/story-17.txt")
    assert "harbor/story-17.txt" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"IHDR" + b"abc" * 50,
        b"GIF89a" + b"x" * 40,
        b"%PDF-1.7\nsome pdf body that is mostly text",
        b"PK\x03\x04" + b"zip body" * 10,
        b"Velmora council minutes\x00\x00\x00 more text after nul bytes",
        bytes(range(1, 8)) * 40,  # control characters, no text
    ],
    ids=["png", "gif", "pdf", "zip", "nul-bytes", "control-bytes"],
)
def test_binary_input_is_refused(data):
    assert looks_binary(data)
    with pytest.raises(BinaryInputError, match="binary"):
        decode_bytes(data, "upload.bin")


def test_text_with_tabs_and_form_feeds_is_not_binary():
    data = b"Col A\tCol B\r\nVelmora\t12\x0cNext page of the council report.\n"
    assert not looks_binary(data)
    text, encoding, note = decode_bytes(data, "report.txt")
    assert "Velmora\t12" in text
    assert encoding == "utf-8"
    assert note is None


def test_utf8_decodes_without_a_note():
    text, encoding, note = decode_bytes(ENGLISH.encode("utf-8"), "cafe.txt")
    assert text == ENGLISH
    assert encoding == "utf-8"
    assert note is None


def test_utf8_bom_is_stripped():
    text, encoding, note = decode_bytes(b"\xef\xbb\xbf" + ENGLISH.encode("utf-8"), "bom.txt")
    assert text == ENGLISH
    assert encoding == "utf-8"
    assert note is None


def test_cp1252_text_is_decoded_with_a_note():
    data = ENGLISH.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding, note = decode_bytes(data, "cafe.txt")
    assert "café" in text
    assert "“We are back,”" in text
    assert "\ufffd" not in text
    assert encoding != "utf-8"
    assert note is not None and "not valid UTF-8" in note and encoding in note


def test_latin1_text_keeps_going_with_a_note():
    data = "Le café de Velmora rouvre ses portes après la tempête.\n".encode("latin-1")
    text, encoding, note = decode_bytes(data, "cafe-fr.txt")
    assert "café" in text
    assert text.startswith("Le caf")
    assert note is not None and "UTF-8" in note
    assert encoding != "utf-8" and encoding in note


def test_declared_encoding_is_used_first():
    data = "Straße nach Velmora gesperrt".encode("iso-8859-1")
    text, encoding, note = decode_bytes(data, "page.html", declared="ISO-8859-1")
    assert text == "Straße nach Velmora gesperrt"
    assert encoding == "iso-8859-1"
    assert note is None


def test_unknown_declared_encoding_falls_back_to_utf8():
    text, encoding, note = decode_bytes("Velmora café".encode(), "page.html", declared="x-no-such")
    assert text == "Velmora café"
    assert encoding == "utf-8"
    assert note is None


def test_cp1252_french_with_guillemets_decodes_correctly():
    original = (
        "Le café de Velmora a rouvert ses portes mardi. « Nous sommes de retour », a déclaré "
        "la propriétaire, Élise Marchand, devant une foule réunie à l'entrée.\n"
    )
    text, _, note = decode_bytes(original.encode("cp1252"), "cafe-fr.txt")
    assert note is not None
    assert text == original


def test_utf16_with_bom_is_text():
    data = ENGLISH.encode("utf-16")  # starts with a BOM
    text, _, _ = decode_bytes(data, "utf16.txt")
    assert "café" in text


def test_maybe_gunzip_passes_plain_data_through():
    data = b"Plain text about Velmora."
    assert maybe_gunzip(data, "plain.txt", 1000) is data


def test_maybe_gunzip_decompresses():
    data = ENGLISH.encode() * 3
    assert maybe_gunzip(gzip.compress(data), "story.txt.gz", 10_000) == data


def test_gzip_output_exactly_at_the_limit_is_accepted():
    data = b"a" * 1000
    assert maybe_gunzip(gzip.compress(data), "edge.gz", 1000) == data


def test_gzip_bomb_over_the_limit_is_refused():
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(TooLargeError, match="more than 1,000,000 bytes"):
        maybe_gunzip(bomb, "bomb.txt.gz", 1_000_000)


def test_corrupt_gzip_is_refused_as_binary():
    data = b"\x1f\x8b\x08\x00" + b"this is not deflate data at all" * 3
    with pytest.raises(BinaryInputError, match="corrupt"):
        maybe_gunzip(data, "broken.gz", 10_000)


def test_truncated_gzip_is_reported_not_silently_cut():
    data = "".join(f"Paragraph {i} about the Velmora harbour wall.\n" for i in range(300))
    packed = gzip.compress(data.encode())
    with pytest.raises(IngestError):
        maybe_gunzip(packed[: len(packed) // 2], "cut.txt.gz", 1_000_000)
