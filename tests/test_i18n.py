"""The interface speaks Vietnamese: a complete catalogue, and no English source text on pages."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def _entries(*, plural=False):
    """(msgid, msgstrs, fuzzy) for every entry of the catalogue (a tiny PO reader).

    With `plural`, a fourth item says whether the entry has plural forms."""
    text = PO_FILE.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln and not ln.startswith("#~")]
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+"(.*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" in fields:
            msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
            if plural:
                # gettext keys an entry with a context as "context\x04msgid".
                key = fields["msgid"]
                if "msgctxt" in fields:
                    key = f"{fields['msgctxt']}\\x04{key}"
                yield key, msgstrs, fuzzy, "msgid_plural" in fields
            else:
                yield fields["msgid"], msgstrs, fuzzy


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    bad = [msgid for msgid, msgstrs, fuzzy in _entries() if msgid and (fuzzy or not all(msgstrs))]
    assert bad == []


def _unescape(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def test_compiled_catalogue_holds_exactly_the_source_translations():
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = [
        msgid
        for msgid, msgstrs, _fuzzy, has_plural in _entries(plural=True)
        if msgid
        and compiled.get((_unescape(msgid), 0) if has_plural else _unescape(msgid))
        != _unescape(msgstrs[0])
    ]
    assert stale == []


def test_vietnamese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "vi"
    with translation.override("vi"):
        assert translation.gettext("full member") == "đảng viên chính thức"


def _english_phrases():
    """Source strings a page must never show: several words, no placeholders."""
    for msgid, _msgstrs, _fuzzy in _entries():
        if msgid and " " in msgid and "%" not in msgid and len(msgid) > 12:
            yield msgid


@pytest.fixture
def pages(tree, district_admin, client_for):
    from tests.factories import MemberFactory, VillageFactory

    member = MemberFactory(unit=tree.cell_a1)
    village = VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    client = client_for(district_admin)
    urls = [
        "/",
        "/units/",
        f"/units/{tree.commune_a.pk}/",
        f"/units/{tree.cell_a1.pk}/",
        f"/units/{tree.commune_a.pk}/edit/",
        f"/units/{tree.commune_a.pk}/new/",
        f"/units/{tree.commune_a.pk}/villages/new/",
        f"/villages/{village.pk}/edit/",
        "/members/",
        f"/members/{member.pk}/",
        f"/members/{member.pk}/edit/",
        "/members/new/",
    ]
    return {url: client.get(url).content.decode() for url in urls}


def test_no_page_shows_an_english_source_string(pages):
    phrases = list(_english_phrases())
    leaks = {url: p for url, html in pages.items() for p in phrases if p in html}
    assert leaks == {}
