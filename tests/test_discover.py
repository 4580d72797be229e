import pytest

from ingest.discover import find_candidates
from ingest.match import tokenize
from ingest.models import Paragraph


def candidates(tagger, text):
    tagged = tagger.tag_paragraphs([Paragraph(1, None, text)])[0]
    return [(c.name, c.kind) for c in tagged.candidates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a run of capitalised words no actor covers
        ("Fighters loyal to Saraya Qabdat al-Huda fired rockets.", [("Saraya Qabdat al-Huda", "")]),
        # a title before the name says person; the title and its country stay out
        ("Iraqi Defense Minister Karim Yasser al-Masoudi spoke.", [("Karim Yasser al-Masoudi", "person")]),
        ("The spokesman Hussein Mahdi said no.", [("Hussein Mahdi", "person")]),
        # "X, a senior fellow at Y" says person
        ("Lina Haddad, a fellow at the Levant Policy Forum, left.", [("Lina Haddad", "person"), ("Levant Policy Forum", "")]),
        # a head word suggests the type of a body
        ("The Anbar Tribal Mobilisation Brigades claimed it.", [("Anbar Tribal Mobilisation Brigades", "armed_group")]),
        ("He met the Nineveh Provincial Council.", [("Nineveh Provincial Council", "government")]),
        # an opening word is not part of the name
        ("But Hamid Saleh disagreed.", [("Hamid Saleh", "")]),
        # known actors are tags, not candidates, and what is left around them is no name
        ("Kataib Hezbollah and Asaib Ahl al-Haq denied it.", []),
        ("Iraqi Prime Minister Mohammed Shia al-Sudani spoke.", []),
        # dates, single words, demonym pairs and punctuation-separated words are not names
        ("On Monday January 5 the talks resumed.", []),
        ("Officials in Baghdad, Erbil and Basra agreed.", []),
        ("Shiite Iraqi leaders met.", []),
        ("He said: Yes. No. Maybe.", []),
    ],
)
def test_unknown_names_become_candidates(tagger, text, expected):
    assert candidates(tagger, text) == expected


def test_candidate_offsets_point_at_the_name(tagger):
    text = "Under pressure, Saraya Qabdat al-Huda and Hamid Saleh met the Anbar Tribal Mobilisation Brigades."
    words = tokenize(text)
    found = find_candidates(words, tagger.tag_paragraphs([Paragraph(1, None, text)])[0].mentions)
    assert [text[c.start : c.end] for c in found] == [c.name for c in found]
    assert len(found) == 3
