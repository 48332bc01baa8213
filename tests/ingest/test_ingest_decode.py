"""ingest/decode.py: bytes to text, refusing empty and binary input, gzip with a size limit."""

import gzip

import pytest

from storyline.errors import BinaryInputError, EmptyInputError, IngestError, TooLargeError
from storyline.ingest.decode import decode_bytes, looks_binary, maybe_gunzip
from storyline.ingest.plausible import implausibility
from tests.conftest import SHARED

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


# --- legacy code pages (issue 21): Western first, another only when it reads plainly better ---

CURLY = (
    "The council\u2019s \u201cnew harbour plan\u201d \u2014 announced in Velmora on Tuesday "
    "\u2013 will cost \u20ac12m, the mayor said\u2026 \u201cWe\u2019re ready,\u201d she added.\n"
)


def test_cp1252_curly_quotes_and_dashes_are_read_as_cp1252():
    text, encoding, note = decode_bytes(CURLY.encode("cp1252"), "harbour.txt")
    assert text == CURLY
    assert encoding == "cp1252"
    assert note == "not valid UTF-8; decoded as cp1252"


@pytest.mark.parametrize(
    "original",
    [
        "\u201cIt\u2019s over,\u201d he said.",
        "Fares rose \u2013 by \u20ac3 \u2013 to \u20ac40.",
        "Velmora\u2019s ferry \u2014 late again\u2026",
        "Caf\u00e9 owners weren\u2019t told.",
        "\u2018Quiet\u2019 night at the quay",
        "Prices: \u00a312 \u2013 \u00a315",
    ],
)
def test_short_cp1252_text_that_detectors_misread_stays_cp1252(original):
    # charset detectors guess cp775, cp852 or cp1250 for text this short ("ōItÆs over")
    text, encoding, _ = decode_bytes(original.encode("cp1252"), "short.txt")
    assert text == original
    assert encoding == "cp1252"
    assert not set(text) & set("ÆōöŚĆ¢")


RUSSIAN = (
    "\u041c\u044d\u0440 \u0412\u0435\u043b\u044c\u043c\u043e\u0440\u044b \u0437\u0430\u044f"
    "\u0432\u0438\u043b \u0432 \u0441\u0440\u0435\u0434\u0443, \u0447\u0442\u043e \u043d\u043e"
    "\u0432\u044b\u0439 \u043c\u043e\u0441\u0442 \u0431\u0443\u0434\u0435\u0442 \u0433\u043e"
    "\u0442\u043e\u0432 \u043a \u043e\u0441\u0435\u043d\u0438. \u0416\u0438\u0442\u0435\u043b"
    "\u0438 \u0436\u0430\u043b\u0443\u044e\u0442\u0441\u044f \u043d\u0430 \u0448\u0443\u043c "
    "\u0438 \u043f\u043b\u043e\u0445\u0438\u0435 \u0434\u043e\u0440\u043e\u0433\u0438. "
    "\u00ab\u041c\u044b \u0433\u043e\u0442\u043e\u0432\u044b\u00bb, \u2014 \u0441\u043a\u0430"
    "\u0437\u0430\u043b\u0430 \u043e\u043d\u0430.\n"
)
CZECH = (
    "Starostka Velmory ve \u010dtvrtek \u0159ekla, \u017ee nov\u00fd most p\u0159es \u0159eku "
    "bude hotov\u00fd do podzimu. Obyvatel\u00e9 m\u011bsta si st\u011b\u017euj\u00ed na hluk a "
    "\u0161patn\u00e9 silnice, kter\u00e9 vedou k \u00fa\u0159adu. P\u0159\u00ed\u0161t\u00ed "
    "t\u00fdden se bude jednat o rozpo\u010dtu a o \u0165\u00e9\u017ek\u00e9 dopravn\u00ed "
    "situaci.\n"
)
POLISH = (
    "Burmistrz Velmory powiedzia\u0142 w \u015brod\u0119, \u017ce budowa nowego mostu "
    "zako\u0144czy si\u0119 jesieni\u0105. Mieszka\u0144cy skar\u017c\u0105 si\u0119 na "
    "ha\u0142as i z\u0142e drogi prowadz\u0105ce do urz\u0119du. W przysz\u0142ym tygodniu "
    "radni zajm\u0105 si\u0119 bud\u017cetem \u0142\u0105cznie z op\u0142atami za "
    "\u017ar\u00f3d\u0142a wody.\n"
)


@pytest.mark.parametrize(
    ("original", "encoding"),
    [(RUSSIAN, "cp1251"), (CZECH, "cp1250"), (POLISH, "cp1250")],
    ids=["russian-cp1251", "czech-cp1250", "polish-cp1250"],
)
def test_text_clearly_in_another_code_page_keeps_the_detected_one(original, encoding):
    data = original.encode(encoding)
    assert implausibility(data.decode("cp1252", errors="replace")) > 0
    text, found, note = decode_bytes(data, "article.txt")
    assert text == original
    assert found == encoding
    assert note is not None and "detected" in note and encoding in note


@pytest.mark.parametrize(
    ("original", "encoding"),
    [
        (
            "\u30f4\u30a7\u30eb\u30e2\u30e9\u5e02\u9577\u306f\u6c34\u66dc\u65e5\u3001\u65b0\u3057"
            "\u3044\u6a4b\u304c\u79cb\u307e\u3067\u306b\u5b8c\u6210\u3059\u308b\u3068\u767a\u8868"
            "\u3057\u305f\u3002\u4f4f\u6c11\u306f\u9a12\u97f3\u3068\u9053\u8def\u306e\u72b6\u614b"
            "\u306b\u4e0d\u6e80\u3092\u8a00\u3063\u3066\u3044\u308b\u3002",
            "shift_jis",
        ),
        (
            "\u5e02\u957f\u5468\u4e09\u8868\u793a\uff0c\u65b0\u6865\u5c06\u4e8e\u79cb\u5b63\u5b8c"
            "\u5de5\u3002\u5c45\u6c11\u62b1\u6028\u566a\u97f3\u548c\u9053\u8def\u72b6\u51b5\u4e0d"
            "\u4f73\uff0c\u5e0c\u671b\u653f\u5e9c\u5c3d\u5feb\u89e3\u51b3\u95ee\u9898\u3002",
            "gb18030",
        ),
    ],
    ids=["japanese-shift-jis", "chinese-gb18030"],
)
def test_cjk_legacy_encodings_are_detected(original, encoding):
    text, found, note = decode_bytes(original.encode(encoding), "cjk.txt")
    assert text == original
    assert note is not None and found in note


def test_utf8_lines_mixed_with_cp1252_lines_read_each_in_its_own():
    utf8 = "Le caf\u00e9 de Velmora a rouvert \u2014 \u00ab enfin \u00bb.\n"
    cp1252 = "The owner\u2019s \u201cnew menu\u201d \u2013 served at noon.\n"
    data = utf8.encode("utf-8") + cp1252.encode("cp1252") + utf8.encode("utf-8")
    text, encoding, note = decode_bytes(data, "mixed.txt")
    assert text == utf8 + cp1252 + utf8
    assert encoding == "utf-8+cp1252"
    assert note is not None and "mixed" in note


def test_utf8_and_cp1252_in_one_line_read_byte_by_byte():
    data = "Caf\u00e9 na\u00efve ".encode("utf-8") + "menu \u2013 Velmora\u2019s".encode("cp1252")
    text, encoding, _ = decode_bytes(data, "line.txt")
    assert text == "Caf\u00e9 na\u00efve menu \u2013 Velmora\u2019s"
    assert encoding == "utf-8+cp1252"


def test_a_stray_byte_in_latin_text_does_not_turn_it_cyrillic():
    # 0x81 is undefined in cp1252; a detector reads the lone bytes as Cyrillic letters
    data = "Velmora \x81 harbour caf\u00e9".encode("latin-1")
    text, encoding, _ = decode_bytes(data, "stray.txt")
    assert text == "Velmora \x81 harbour caf\u00e9"
    assert encoding == "cp1252"


def test_declared_latin1_reads_windows_punctuation_as_browsers_do():
    data = "Velmora\u2019s \u201cquay\u201d".encode("cp1252")
    text, encoding, note = decode_bytes(data, "page.html", declared="ISO-8859-1")
    assert text == "Velmora\u2019s \u201cquay\u201d"
    assert encoding == "cp1252"
    assert note is not None and "iso-8859-1" in note


def test_declared_single_byte_encoding_contradicted_by_utf8_bytes_is_overruled():
    original = "Caf\u00e9 \u201cVelmora\u201d \u2013 na\u00efve"
    text, encoding, note = decode_bytes(original.encode("utf-8"), "page.html", "iso-8859-1")
    assert text == original
    assert encoding == "utf-8"
    assert note is not None and "declared iso-8859-1" in note


REALNEWS_TEXT = SHARED / "bench" / "realnews" / "text"


@pytest.mark.corpus
@pytest.mark.skipif(
    not REALNEWS_TEXT.is_dir(), reason=f"real news texts not found at {REALNEWS_TEXT}"
)
def test_real_windows_1252_files_read_without_mojibake():
    """The 41 WikiRef220 texts ship as Windows-1252 (half of them plain ASCII); every one must
    read as cp1252 does (read in place, never copied)."""
    paths = sorted(REALNEWS_TEXT.glob("*.txt"))
    assert paths
    wrong = []
    for path in paths:
        data = path.read_bytes()
        text, _, _ = decode_bytes(data, path.name)
        if text != data.decode("cp1252"):
            wrong.append(path.name)
    assert not wrong, f"{len(wrong)} of {len(paths)} files read with mojibake: {wrong}"
