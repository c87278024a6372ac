import unicodedata

import pytest

from units.vietnamese import name_sort_key, normalize_text, strip_diacritics


def nfd(text: str) -> str:
    """The same text as a Mac keyboard or an old Excel file sends it: letters and marks apart."""
    return unicodedata.normalize("NFD", text)


def test_decomposed_input_is_stored_composed():
    assert normalize_text(nfd("Lò Văn Phương")) == unicodedata.normalize("NFC", "Lò Văn Phương")


def test_normalised_text_has_single_spaces_and_no_edges():
    assert normalize_text("  Giàng   A\tSử \n") == "Giàng A Sử"


@pytest.mark.parametrize(
    ("name", "key"),
    [("Đặng", "dang"), ("Đặng Thị Ánh", "dang thi anh"), ("Giàng A Sử", "giang a su")],
)
def test_search_key_drops_marks_and_case_and_reads_d_bar_as_d(name, key):
    assert strip_diacritics(name) == key


def test_search_key_of_decomposed_name_matches_the_composed_one():
    assert strip_diacritics(nfd("Lường Văn Thanh")) == strip_diacritics("Lường Văn Thanh")


def test_names_sort_by_given_name_first():
    assert name_sort_key("Lò Văn An") < name_sort_key("Quàng Thị Bình")


def test_family_name_breaks_a_tie_between_equal_given_names():
    assert name_sort_key("Giàng A Sử") < name_sort_key("Lò Văn Sử")


def test_tone_only_decides_when_all_letters_are_equal():
    assert name_sort_key("Lò Thị Anh") < name_sort_key("Lò Thị Ánh")
    assert name_sort_key("Lò Thị Ánh") < name_sort_key("Lò Thị Anhs")


def test_d_comes_before_d_bar_whatever_the_tones():
    assert name_sort_key("Dũng") < name_sort_key("Đức")


def test_shorter_given_name_sorts_before_its_extensions():
    assert name_sort_key("Lò Văn An") < name_sort_key("Lò Văn Anh")


def test_vietnamese_letters_follow_their_base_letter():
    names = ["Ơn", "Ô", "On", "Ăn", "Ân", "An", "Ưng", "Ung", "Ê", "E"]
    expected = ["An", "Ăn", "Ân", "E", "Ê", "On", "Ô", "Ơn", "Ung", "Ưng"]
    assert sorted(names, key=name_sort_key) == expected


def test_tones_order_level_huyen_hoi_nga_sac_nang():
    in_order = ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]
    assert sorted(reversed(in_order), key=name_sort_key) == in_order


def test_decomposed_and_composed_names_give_the_same_sort_key():
    assert name_sort_key(nfd("Đặng Thị Thuỷ")) == name_sort_key("Đặng Thị Thuỷ")


def test_sort_key_ignores_case_and_extra_spaces():
    assert name_sort_key("  LÒ  văn phương ") == name_sort_key("Lò Văn Phương")


def test_apostrophe_in_a_name_does_not_affect_its_order():
    assert name_sort_key("H'Mai") == name_sort_key("HMai")
