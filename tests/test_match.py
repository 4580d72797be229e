import pytest

from ingest.match import ActorMatcher, Candidate, resolve_overlaps, surname_forms, tokenize
from ingest.models import Actor

ACTORS = [
    Actor("united-states", "United States", "state", ("US", "U.S.", "USA", "America")),
    Actor("islamic-state", "Islamic State", "armed_group", ("ISIS", "ISIL", "IS", "Daesh")),
    Actor("iran", "Iran", "state"),
    Actor("israel", "Israel", "state"),
    Actor("iraq", "Iraq", "state"),
    Actor("turkey", "Turkey", "state", ("Türkiye",)),
    Actor("baghdad", "Baghdad", "place"),
    Actor("global-coalition", "Global Coalition to Defeat ISIS", "military"),
    Actor("centcom", "US Central Command", "military", ("U.S. Central Command", "CENTCOM")),
    Actor("us-embassy-baghdad", "US Embassy in Baghdad", "government", ("US embassy in Baghdad",)),
    Actor("government-of-iraq", "Government of Iraq", "government", ("Iraqi government",)),
    Actor("iraqi-armed-forces", "Iraqi Armed Forces", "military", ("Iraqi military",)),
    Actor("government-of-syria", "Government of Syria", "government", ("Assad regime",)),
    Actor("cjtf-oir", "Combined Joint Task Force – Operation Inherent Resolve", "military", ("CJTF-OIR",)),
    Actor("harakat-al-nujaba", "Harakat al-Nujaba", "armed_group", ("HaN",)),
    Actor("al-sudani", "Mohammed Shia al-Sudani", "person"),
    Actor("kavanagh", "Jennifer Kavanagh", "person"),
    Actor("soleimani", "Qasem Soleimani", "person", ("Qassem Soleimani",)),
    Actor("abu-taqwa", "Mushtaq Jawad Kazim al-Jawari", "person", ("Abu Taqwa",)),
    Actor("masoud-barzani", "Masoud Barzani", "person"),
    Actor("nechirvan-barzani", "Nechirvan Barzani", "person"),
]
MATCHER = ActorMatcher(ACTORS)


def found(text, known=None):
    return [(m.actor_id, m.surface) for m in MATCHER.find(tokenize(text), set() if known is None else known)]


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("whole words", "Iranian officials met Iraqi ones.", []),
        ("whole words", "He said this is not ISIS.", [("islamic-state", "ISIS")]),
        ("possessive", "Israel's war and al-Sudani's office", [("israel", "Israel")]),
        ("possessive, curly apostrophe", "Iran’s strategy", [("iran", "Iran")]),
        ("compound", "U.S.-led forces and Iran-aligned groups", [("united-states", "U.S."), ("iran", "Iran")]),
        ("compound", "the anti-ISIS campaign", [("islamic-state", "ISIS")]),
        ("acronym case", "let us talk about what is left", []),
        ("acronym case", "IS leader and US forces", [("islamic-state", "IS"), ("united-states", "US")]),
        ("acronym case", "the HaN group, not the han dynasty", [("harakat-al-nujaba", "HaN")]),
        ("capitals run", "YOUR TIME IS UP, SAID US OFFICIALS", []),
        ("capitals run", "ISIS CLAIMS ATTACK", [("islamic-state", "ISIS")]),
        ("capitals run, dotted", "U.S. TROOPS TO STAY", [("united-states", "U.S.")]),
        ("capitalised names need a capital", "a turkey dinner in Turkey", [("turkey", "Turkey")]),
        ("diacritics folded", "talks in Turkiye and Türkiye", [("turkey", "Turkiye"), ("turkey", "Türkiye")]),
        ("nested", "the Global Coalition to Defeat ISIS", [("global-coalition", "Global Coalition to Defeat ISIS")]),
        ("nested", "U.S. Central Command said", [("centcom", "U.S. Central Command")]),
        ("nested", "the US embassy in Baghdad", [("us-embassy-baghdad", "US embassy in Baghdad")]),
        (
            "dash or hyphen",
            "Combined Joint Task Force - Operation Inherent Resolve",
            [("cjtf-oir", "Combined Joint Task Force - Operation Inherent Resolve")],
        ),
        ("dots must be there", "U S forces", []),
        (
            "no match across a sentence end",
            "They left Iraq. Government of Iraq",
            [("iraq", "Iraq"), ("government-of-iraq", "Government of Iraq")],
        ),
        ("demonym alone", "Iraqi and American officials", []),
        (
            "demonym body",
            "the Iraqi government and the Iraqi military",
            [("government-of-iraq", "Iraqi government"), ("iraqi-armed-forces", "Iraqi military")],
        ),
        ("modifier", "US troops at U.S. facilities", [("united-states", "US"), ("united-states", "U.S.")]),
        ("capital stays a place", "Baghdad denied it", [("baghdad", "Baghdad")]),
        ("alias spelling", "Qassem Soleimani and Qasem Soleimani", [("soleimani", "Qassem Soleimani"), ("soleimani", "Qasem Soleimani")]),
        ("nom de guerre", "Abu Taqwa was killed", [("abu-taqwa", "Abu Taqwa")]),
    ],
)
def test_matching_rule(rule, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("Kavanagh said so.", set(), []),
        ("Kavanagh said so.", {"kavanagh"}, [("kavanagh", "Kavanagh")]),
        ("Jennifer Kavanagh spoke. Later Kavanagh said so.", set(), [("kavanagh", "Jennifer Kavanagh"), ("kavanagh", "Kavanagh")]),
        ("Kavanagh, or Jennifer Kavanagh, spoke.", set(), [("kavanagh", "Jennifer Kavanagh")]),
        (
            "Sudani and Al-Sudani and al-Sudani",
            {"al-sudani"},
            [("al-sudani", "Sudani"), ("al-sudani", "Al-Sudani"), ("al-sudani", "al-Sudani")],
        ),
        ("al-Jawari, not Taqwa", {"abu-taqwa"}, [("abu-taqwa", "al-Jawari")]),
        ("Barzani said", {"masoud-barzani"}, [("masoud-barzani", "Barzani")]),
        ("Barzani said", {"masoud-barzani", "nechirvan-barzani"}, []),
    ],
)
def test_surnames_count_only_after_the_full_name(text, known, expected):
    assert found(text, known) == expected


def test_a_full_name_makes_its_person_known_for_later_paragraphs():
    known = set()
    found("Iraqi Prime Minister Mohammed Shia al-Sudani spoke.", known)
    assert known == {"al-sudani"}
    assert found("Sudani's office said", known) == [("al-sudani", "Sudani")]


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Mohammed Shia al-Sudani", ["al-Sudani", "Sudani"]),
        ("Jennifer Kavanagh", ["Kavanagh"]),
        ("Martin Luther King Jr.", ["King"]),
        ("Abu Taqwa", []),
        ("Hezbollah", []),
    ],
)
def test_surname_forms(name, forms):
    assert surname_forms(name) == forms


def test_mention_offsets_point_at_the_surface_text():
    text = "On Friday, the U.S.-led coalition and Iran’s allies met in Baghdad, said Jennifer Kavanagh; Kavanagh agreed."
    mentions = MATCHER.find(tokenize(text), set())
    assert [text[m.start : m.end] for m in mentions] == [m.surface for m in mentions]
    assert [m.surface for m in mentions] == ["U.S.", "Iran", "Baghdad", "Jennifer Kavanagh", "Kavanagh"]


def candidate(start, end, actor="a", needs_antecedent=False):
    return Candidate(actor, start, end, needs_antecedent)


@pytest.mark.parametrize(
    ("candidates", "kept"),
    [
        ([candidate(0, 5), candidate(0, 20, "b")], [candidate(0, 20, "b")]),
        ([candidate(0, 10), candidate(5, 20, "b")], [candidate(5, 20, "b")]),
        ([candidate(0, 10), candidate(5, 15, "b")], [candidate(0, 10)]),
        ([candidate(0, 10), candidate(10, 20, "b")], [candidate(0, 10), candidate(10, 20, "b")]),
        ([candidate(0, 8, "surname", True), candidate(0, 8, "full")], [candidate(0, 8, "full")]),
    ],
)
def test_overlaps_keep_the_longest_then_the_earliest(candidates, kept):
    assert sorted(resolve_overlaps(candidates), key=lambda c: c.start) == kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Centcom said", [("centcom", "Centcom")]),
        ("CENTCOM said", [("centcom", "CENTCOM")]),
        ("centcom said", []),
        ("Isis said", []),  # four letters: too short to read as the acronym
    ],
)
def test_long_acronyms_also_match_in_title_case(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Iraqi government's decision", [("government-of-iraq", "Iraqi government")]),
        ("Assad's regime fell", [("government-of-syria", "Assad's regime")]),
        ("Israel’s war", [("israel", "Israel")]),
    ],
)
def test_possessives_inside_and_after_names(text, expected):
    assert found(text) == expected
