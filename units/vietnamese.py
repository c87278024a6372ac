"""Vietnamese text: Unicode normalisation, diacritic-free search keys and name sort keys."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Vietnamese alphabetical order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), with
# the Latin letters Vietnamese lacks slotted where a Vietnamese reader expects them.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Codes 02.. leave 00 for "end of name" and 01 for "end of word", so shorter sorts first.
_LETTER_CODE = {letter: f"{i + 2:02d}" for i, letter in enumerate(_ALPHABET)}
_SHAPE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
# Tones in dictionary order: level, huyền, hỏi, ngã, sắc, nặng.
_TONE_MARKS = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def normalize_text(value: str) -> str:
    """NFC-normalise, trim and collapse runs of white space (what every text input gets)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def normalize_multiline(value: str) -> str:
    """NFC-normalise and trim a multi-line text, keeping its line breaks."""
    return unicodedata.normalize("NFC", value).strip()


def strip_diacritics(value: str) -> str:
    """Lower-case text without diacritics, "đ" as "d": "Đặng Thị Ánh" -> "dang thi anh"."""
    decomposed = unicodedata.normalize("NFD", normalize_text(value).lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


def _letters(word: str):
    """Yield (letter, tone) for each letter of a word, letter with its shape marks kept."""
    for ch in word.lower():
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        tone = "0"
        for mark in parts[1:]:
            if mark in _SHAPE_MARKS:
                base += mark
            elif mark in _TONE_MARKS:
                tone = _TONE_MARKS[mark]
        yield unicodedata.normalize("NFC", base), tone


def name_sort_key(full_name: str) -> str:
    """A key whose plain (binary) order is the Vietnamese order of names.

    Names sort by given name, then family name, then middle names; letters in Vietnamese
    alphabetical order, and only when all letters tie, by tone (so "Anh" < "Ánh", "Dũng" <
    "Đức"). The key is digits only, so every database collation orders it the same way.
    """
    words = normalize_text(full_name).split(" ")
    if len(words) > 1:
        words = [words[-1], words[0], *words[1:-1]]
    return _collation_key(words)


def text_sort_key(text: str) -> str:
    """A binary-ordered key for any text (unit and village names) in Vietnamese order."""
    return _collation_key(normalize_text(text).split(" "))


def _collation_key(words: list[str]) -> str:
    primary, tones = [], []
    for word in words:
        for letter, tone in _letters(word):
            code = _LETTER_CODE.get(letter)
            if code is None:
                if not letter.isalnum():
                    continue  # apostrophes and hyphens ("H'Mông") do not sort
                code = "99"
            primary.append(code)
            tones.append(tone)
        primary.append("01")
    return "".join(primary) + "00" + "".join(tones)


def given_name(full_name: str) -> str:
    """The given name: the last word of a Vietnamese full name."""
    words = normalize_text(full_name).split(" ")
    return words[-1] if words else ""
