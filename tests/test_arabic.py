import pytest

from ingest.arabic import DROPPED_MARK, FOLD, fold_arabic, prefixed_forms, stems


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("إيران", "ايران"),
        ("أمريكا", "امريكا"),
        ("آية", "ايه"),
        ("السودانى", "السوداني"),
        ("مدرسة", "مدرسه"),
        ("٢٠٢٤", "2024"),
        ("Iraq", "Iraq"),
    ],
)
def test_letter_forms_and_digits_fold_alike(written, folded):
    assert fold_arabic(written) == folded


def test_tatweel_and_diacritics_become_a_mark_and_lengths_stay():
    written = "العـِراقُ"
    assert fold_arabic(written) == f"الع{DROPPED_MARK}{DROPPED_MARK}راق{DROPPED_MARK}"
    assert all(len(fold_arabic(chr(code))) == 1 for code in FOLD)


def test_the_index_folds_exactly_as_the_python_fold(db):
    """schema.sql's paragraphs_search repeats ingest/arabic.py's FOLD in SQL: every folded character, both ways."""
    text = "نص " + "".join(map(chr, FOLD)) + " Iraq"
    db.execute(
        "INSERT INTO articles (id, title, title_key, content_hash, ingested_at, paragraph_count) VALUES (1, 't', 't', 'h', 'now', 1)"
    )
    db.execute("INSERT INTO paragraphs (id, article_id, position, section, text) VALUES (1, 1, 1, ?, ?)", (text, text))
    assert db.execute("SELECT text, section FROM paragraphs_search").fetchone() == (fold_arabic(text), fold_arabic(text))
    db.execute("DELETE FROM paragraphs")
    db.execute("DELETE FROM articles")


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("العراق", {"العراق", "والعراق", "فالعراق", "بالعراق", "للعراق", "كالعراق", "وبالعراق", "وللعراق"}),
        ("ايران", {"ايران", "وايران", "لايران", "بايران", "فايران", "كايران"}),
        ("انسحاب", {"انسحاب", "الانسحاب", "والانسحاب", "بالانسحاب", "للانسحاب"}),
    ],
)
def test_prefixed_forms_include_the_common_attachments(word, forms):
    assert forms <= set(prefixed_forms(word))


@pytest.mark.parametrize(
    ("token", "stem"),
    [
        ("والعراق", "العراق"),
        ("للعراق", "العراق"),
        ("بالحشد", "الحشد"),
        ("وايران", "ايران"),
        ("لايران", "ايران"),
        ("العراق", "عراق"),
    ],
)
def test_stems_take_attached_prefixes_off(token, stem):
    assert stems(token)[0] == token
    assert stem in stems(token)


def test_a_short_word_keeps_its_first_letter():
    assert stems("وزن") == ("وزن",)
