import pytest

from ingest.read import read_article
from ingest.split import is_furniture, is_heading, split_paragraphs

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
