"""Property-based tests: arbitrary and hostile text never crashes a stage, loses text or misplaces a tag."""

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from ingest.database import ensure_schema
from ingest.errors import ReadError
from ingest.models import Article, Paragraph, TaggedArticle
from ingest.parse import parse_html_article, parse_json_articles, parse_markdown_article, parse_text_article
from ingest.read import decode_text
from ingest.split import MAX_PARAGRAPH_CHARS, split_paragraphs
from ingest.store import Writer, check_store, sync_gazetteer

# Words of the region among arbitrary characters, so that names and terms are found too.
NAMES = st.sampled_from(
    ["Kataib Hezbollah", "Iran's", "U.S.-led", "al-Sudani", "IS", "US", "Houthis", "Gaza", "ISIS", "Nujaba", "Abu Taqwa", "Pentagon"]
)
NEWLINES = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\u2028", "\x0c"])
MARKUP = st.sampled_from(["- ", "* ", "1. ", "> ", "## ", "# ", "---\n", "&#39;", "<p>", "</p>", "\x00", "\x1b", "\u200b", "\ufeff"])
PIECES = st.one_of(st.text(max_size=40), NAMES, NEWLINES, MARKUP)
TEXTS = st.lists(PIECES, max_size=60).map("".join)
# Enormous paragraphs: one piece of text repeated thousands of times, with or without spaces.
HUGE = st.tuples(st.one_of(NAMES, st.text(min_size=1, max_size=12)), st.integers(100, 4000), st.sampled_from(["", " ", ". "])).map(
    lambda parts: parts[2].join([parts[0]] * parts[1])
)
ANY_TEXT = st.one_of(TEXTS, HUGE, st.just(""))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def letters(texts):
    """Letters and non-digit word characters: what splitting must keep (list numbers and marks may go)."""
    return Counter(ch for text in texts for ch in text if ch.isalnum() and not ch.isdigit())


@SETTINGS
@given(ANY_TEXT)
def test_splitting_keeps_every_letter_and_makes_no_empty_or_huge_paragraph(body):
    split = split_paragraphs(body)
    assert letters([body]) == letters([p.text for p in split.paragraphs] + list(split.sections) + list(split.dropped))
    assert all(p.text.strip() and len(p.text) <= MAX_PARAGRAPH_CHARS for p in split.paragraphs)
    assert [p.position for p in split.paragraphs] == list(range(1, len(split.paragraphs) + 1))


@SETTINGS
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_tags_point_at_their_text_and_never_overlap(tagger, texts):
    paragraphs = [Paragraph(i, None, text) for i, text in enumerate(texts, start=1)]
    for tagged in tagger.tag_paragraphs(paragraphs):
        text = tagged.paragraph.text
        spans = sorted((m.start, m.end) for m in tagged.mentions)
        assert all(text[m.start : m.end] == m.surface for m in tagged.mentions)
        assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
        assert all(text[c.start : c.end] == c.name for c in tagged.candidates)
        assert len(tagged.topics) <= tagger.rules.max_topics


@SETTINGS
@given(st.lists(TEXTS.filter(str.strip), min_size=1, max_size=5))
def test_stored_hostile_paragraphs_pass_the_database_check(actors, rules, tagger, texts):
    db = Database(memory=True)
    ensure_schema(db)
    sync_gazetteer(db, actors, rules.topics, {})
    paragraphs = split_paragraphs("\n\n".join(texts)).paragraphs
    tagged = TaggedArticle(Article(title="Hostile", body=""), tagger.tag_paragraphs(paragraphs))
    if paragraphs:
        Writer(db).save([tagged])
    assert check_store(db) == []


@SETTINGS
@given(st.one_of(st.binary(max_size=300), TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass"))))
def test_any_bytes_decode_or_are_refused_with_a_read_error(data):
    try:
        text = decode_text(data, "input")
    except ReadError as error:
        assert str(error).startswith("input: ")
    else:
        assert "\x00" not in text and "\r" not in text


@SETTINGS
@given(TEXTS, st.sampled_from([parse_text_article, parse_markdown_article, parse_html_article, parse_json_articles]))
def test_every_parser_gives_articles_or_read_errors(text, parse):
    try:
        result = parse(text, "input")
        articles = list(result) if parse is parse_json_articles else [result]
    except ReadError as error:
        assert str(error).startswith("input")
        return
    assert all(isinstance(item, Article | ReadError) for item in articles)
