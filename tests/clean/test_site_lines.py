"""clean/site_lines.py: lines an outlet repeats on its pages, learnt over a run (issue 21), and
the ingest driver's second pass over each outlet's first pages (pipeline.store_items)."""

from storyline import Storyline
from storyline.clean.site_lines import SiteLines, line_key
from storyline.clean.text import clean_text
from storyline.config import Settings
from storyline.model import Article, SourceKind
from storyline.pipeline import store_items

TAGLINE = "Harbor Times — the Velmora coast's paper of record since 1921"
FOOTER = "Harbor Times is owned by its readers, who elect its board every spring."
STORIES = [
    "The council voted on Thursday to rebuild the harbour wall that collapsed during last "
    "month's storm, after a debate that lasted most of the afternoon.",
    "The Kelmar ferry crews returned to work on Saturday after the union accepted a pay rise of "
    "six percent, ending a strike that stranded 3,000 passengers.",
    "The old lighthouse at Cape Dorn reopened as a museum of the coast on Saturday, and more "
    "than 1,200 people climbed its stairs on the first day.",
    "Saltmere United signed the Kelmar striker Jonas Frey on a three-year contract after he "
    "scored 21 goals for Kelmar Athletic last season.",
]


def page(n: int, host: str = "harbortimes.example") -> tuple[str, str, str]:
    url = f"https://{host}/news/{n}"
    raw = f"{TAGLINE}\n{STORIES[n % len(STORIES)]}\nIt was the {n}th such vote.\n{FOOTER}\n"
    return host, url, raw


def clean(memory: SiteLines, n: int, host: str = "harbortimes.example") -> str:
    host, url, raw = page(n, host)
    return clean_text(raw, title=f"Story {n}", site=memory.page(host, url)).text


def test_a_line_on_three_pages_of_a_host_goes_from_the_third_on():
    memory = SiteLines()
    first, second, third = (clean(memory, n) for n in range(3))
    assert TAGLINE in first and TAGLINE in second
    assert TAGLINE not in third and FOOTER not in third
    assert STORIES[2] in third
    result = clean_text(page(3)[2], "Story 3", memory.page("harbortimes.example", page(3)[1]))
    assert {(r.line, r.reason) for r in result.removed} == {
        (TAGLINE, "site_repeated"),
        (FOOTER, "site_repeated"),
    }


def test_hosts_are_counted_apart():
    memory = SiteLines()
    for n in range(2):
        clean(memory, n, "harbortimes.example")
    assert TAGLINE in clean(memory, 2, "valecourier.example")


def test_a_page_seen_again_is_not_counted_again():
    memory = SiteLines()
    for _ in range(5):
        clean(memory, 0)
    assert memory.pages("harbortimes.example") == 1
    assert TAGLINE in clean(memory, 1)


def test_a_short_common_sentence_is_never_judged_by_repetition():
    memory = SiteLines()
    sentence = "No one was hurt."
    for n in range(6):
        host, url, raw = page(n)
        text = clean_text(raw + sentence, "Story", memory.page(host, url)).text
    assert sentence in text
    assert not memory.eligible(sentence)
    assert memory.eligible(TAGLINE) and memory.eligible(FOOTER)


def test_a_line_on_a_small_share_of_the_pages_stays():
    memory = SiteLines(min_pages=3, min_share=0.5)
    line = "A line the newsroom adds to some reports only, not to most of them"
    for n in range(7):  # the line is on pages 0, 3 and 6
        host, url, raw = page(n)
        text = clean_text(raw + (line if n % 3 == 0 else ""), "Story", memory.page(host, url))
    assert line in text.text  # on 3 of the 7 pages when the last is judged: under half
    assert TAGLINE not in text.text


def test_a_copy_of_a_page_keeps_its_sentences():
    memory = SiteLines()
    body = "\n".join(
        f"Paragraph {n} of the republished report on the harbour wall, long enough to count."
        for n in range(5)
    )
    texts = [
        clean_text(f"{TAGLINE}\n{body}", "Wall", memory.page("h.example", f"https://h.example/{n}"))
        for n in range(4)
    ]
    assert body in texts[-1].text  # left to copy detection
    assert TAGLINE not in texts[-1].text  # the template line still goes


def test_numbers_and_case_do_not_make_lines_differ():
    assert line_key("© 2031 Harbor Times Media") == line_key("© 2032 harbor times media")
    assert line_key("Harbor Times") != line_key("Vale Courier")


def test_memory_stays_within_its_bound():
    memory = SiteLines(max_entries=200)
    for n in range(100):
        lines = [f"Line {n}-{k} of words on page {n} here" for k in range(5)]
        memory.judge("h.example", f"https://h.example/{n}", [*lines, TAGLINE])
    assert memory._entries <= 200
    assert memory.judge("h.example", "https://h.example/new", [TAGLINE])  # the common line stays


def _article(n: int) -> Article:
    _, url, raw = page(n)
    return Article(source=url, source_kind=SourceKind.JSONL, url=url, title=f"Story {n}", raw=raw)


def test_the_first_pages_of_an_outlet_are_cleaned_again_at_the_end_of_the_run(tmp_path):
    settings = Settings(min_text_chars=20)
    with Storyline(f"sqlite:///{tmp_path}/s.db", settings) as sl:
        report = store_items([_article(n) for n in range(4)], sl.store, settings)
        texts = [sl.store.get_article(i).text for i in report.ingested]
        removed = [
            {(r.line, r.reason) for r in sl.store.get_article(i).removed_lines}
            for i in report.ingested
        ]
    assert len(texts) == 4
    assert all(TAGLINE not in text and FOOTER not in text for text in texts)
    assert all((TAGLINE, "site_repeated") in lines for lines in removed)


def test_a_run_of_two_pages_learns_nothing(tmp_path):
    settings = Settings(min_text_chars=20)
    with Storyline(f"sqlite:///{tmp_path}/s.db", settings) as sl:
        report = store_items([_article(n) for n in range(2)], sl.store, settings)
        texts = [sl.store.get_article(i).text for i in report.ingested]
    assert all(TAGLINE in text for text in texts)
