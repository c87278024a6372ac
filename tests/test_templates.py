"""Numbers that are identifiers must not be localised: with thousands separators on, the
member of id 1234 would be written "1.234" in a form value or a link, and lost on the way back."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# {{ something.pk }}, {{ something_id }}, {{ page.next_page_number }} without a filter after it
BARE_ID = re.compile(r"\{\{\s*([\w.]*(?:\.pk|\.id|_id|_page_number))\s*\}\}")
# Names ending in _id that hold text (an HTML id), not a number.
TEXT_IDS = {"chart_id"}


def test_no_template_writes_an_id_with_thousands_separators():
    bare = [
        f"{path.relative_to(TEMPLATES)}:{n}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        for match in BARE_ID.finditer(line)
        if match.group(1) not in TEXT_IDS
    ]

    assert bare == [], "use |stringformat:'d' (or |unlocalize) for ids:\n" + "\n".join(bare)


def test_an_id_over_a_thousand_is_written_without_a_separator(settings):
    from django.template import Context, Template

    rendered = Template('{{ pk|stringformat:"d" }} {{ pk }}').render(Context({"pk": 12345}))

    assert rendered == "12345 12.345"
