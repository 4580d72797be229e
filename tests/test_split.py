import pytest

from ingest.read import read_article
from ingest.split import MAX_PARAGRAPH_CHARS, is_furniture, is_heading, split_paragraphs

from .conftest import SAMPLE


def test_sample_splits_as_the_gold_says(seed):
    split = split_paragraphs(read_article(SAMPLE).body)
    assert [(p.position, p.section, p.text) for p in split.paragraphs] == [
        (p["position"], p["section"], p["text"]) for p in seed["paragraphs"]
    ]
    assert list(split.sections) == seed["sections"]
    assert list(split.dropped) == seed["dropped"]


@pytest.mark.parametrize(
    "block",
    [
        "Yes, I give $5/month",
        "We accept credit cards, Apple Pay and Google Pay. You can also contribute via",
        "Support our journalism with a gift today.",
        "Sign up for the Middle East newsletter",
        "Share this article | Print | Email",
        "We use cookies to improve your experience. By continuing you accept our privacy policy.",
        "Read more: Iraq's militias and the US",
        "Related stories",
        "By Jane Doe and John Smith",
        "Photo: AFP via Getty Images",
        "Advertisement",
    ],
)
def test_page_furniture_is_dropped(block):
    assert is_furniture(block)


@pytest.mark.parametrize(
    "block",
    [
        "The Pentagon said the strike was carried out in self-defense and that no civilians were harmed.",
        "By Thursday, the militia had claimed responsibility for the attack.",
        "Iraq has asked the coalition to set a date for its withdrawal, officials said on Monday.",
        # long blocks are body text even when they name a furniture word
        "The newsletter that the group published in 2019 called for attacks on coalition bases, "
        "and officials in Baghdad said at the time that it was read widely among fighters in the "
        "camps, where thousands of people linked to the group are still held today.",
    ],
)
def test_body_text_is_kept(block):
    assert not is_furniture(block)


@pytest.mark.parametrize(
    ("block", "heading"),
    [
        ("What are the possible consequences?", True),
        ("Background to the withdrawal talks", True),
        ("The strike killed two commanders.", False),
        ("a line starting in lower case", False),
        ("“We will respond,” he said", False),  # a quotation, not a heading
    ],
)
def test_headings_are_short_lines_without_closing_punctuation(block, heading):
    assert is_heading(block) is heading


def test_heading_takes_the_paragraphs_under_it_until_the_next():
    body = "Intro paragraph.\n\nFirst heading\n\nUnder the first.\n\nSecond heading?\n\nUnder the second.\n\nAnd more."
    split = split_paragraphs(body)
    assert [(p.position, p.section) for p in split.paragraphs] == [
        (1, None), (2, "First heading"), (3, "Second heading?"), (4, "Second heading?"),
    ]  # fmt: skip
    assert split.sections == ("First heading", "Second heading?")


def test_a_short_line_with_nothing_under_it_stays_text():
    split = split_paragraphs("Body text here.\n\nThe end")
    assert [p.text for p in split.paragraphs] == ["Body text here.", "The end"]
    assert split.sections == ()


def test_hard_wrapped_lines_and_spaces_are_joined():
    split = split_paragraphs("A paragraph wrapped\nat a fixed   width\nacross lines.\n\nNext one.")
    assert [p.text for p in split.paragraphs] == ["A paragraph wrapped at a fixed width across lines.", "Next one."]


@pytest.mark.parametrize(
    ("body", "paragraphs"),
    [
        # a list: each item its own paragraph, its marker dropped, its wrapped lines joined
        (
            "The strikes hit:\n- command centres\n- missile storage\n  sites near Sanaa\n- radars",
            ["The strikes hit:", "command centres", "missile storage sites near Sanaa", "radars"],
        ),
        ("1. Withdraw the troops.\n2) Keep the advisers.", ["Withdraw the troops.", "Keep the advisers."]),
        # a quotation block loses its markers
        ("> We will not hesitate to defend\n> lives and commerce.", ["We will not hesitate to defend lives and commerce."]),
        # one paragraph a line (no blank lines between), lines too long to be hard-wrapped
        (
            "The Houthis have launched more than 30 attacks on commercial and naval vessels since the middle of November.\n"
            "These actions constitute an international challenge, and the coalition protecting the sea lanes continues to grow.",
            [
                "The Houthis have launched more than 30 attacks on commercial and naval vessels since the middle of November.",
                "These actions constitute an international challenge, and the coalition protecting the sea lanes continues to grow.",
            ],
        ),
        # hyphens inside a sentence are not list markers
        ("US forces - and their partners -\nstayed.", ["US forces - and their partners - stayed."]),
    ],
)
def test_lists_quotes_and_one_line_paragraphs(body, paragraphs):
    assert [p.text for p in split_paragraphs(body).paragraphs] == paragraphs


@pytest.mark.parametrize(
    ("line", "heading"), [("'Significantly diminished'", True), ("“Maximum pressure”", True), ("'We will respond.'", False)]
)
def test_a_quotation_standing_alone_heads_a_section_unless_it_is_a_sentence(line, heading):
    assert is_heading(line) is heading


def test_marked_headings_are_sections_even_one_after_another():
    split = split_paragraphs("## Background\n\n### The strikes\n\nUS aircraft struck three sites.")
    assert list(split.sections) == ["Background", "The strikes"]
    assert [(p.section, p.text) for p in split.paragraphs] == [("The strikes", "US aircraft struck three sites.")]


@pytest.mark.parametrize(
    "text",
    [
        "The coalition met again. " * 400,  # sentences
        "word " * 2000,  # no sentence ends
        "x" * 10_000,  # not even spaces
    ],
)
def test_very_long_paragraphs_are_cut_into_pieces_that_keep_all_the_text(text):
    pieces = [p.text for p in split_paragraphs(text).paragraphs]
    assert len(pieces) > 1
    assert all(len(piece) <= MAX_PARAGRAPH_CHARS for piece in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
