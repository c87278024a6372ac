"""The Content Security Policy allows no inline script or style: no template may rely on one,
or the browser would silently ignore it in production."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# What `script-src 'self'` / `style-src 'self'` block, found inside a tag.
OFFENCES = {
    "inline script": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I
    ),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "htmx inline handler": re.compile(r"<[a-z][^>]*\shx-on", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def offences(text: str) -> list[str]:
    return [
        f"{n}: {kind}"
        for n, line in enumerate(text.splitlines(), start=1)
        for kind, pattern in OFFENCES.items()
        if pattern.search(line)
    ]


def test_no_template_has_inline_script_handlers_or_styles():
    found = [
        f"{path.relative_to(TEMPLATES)}:{offence}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for offence in offences(path.read_text())
    ]

    assert found == [], "move these to static/js or static/css:\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_inline_code():
    sample = "\n".join(
        [
            "<script>alert(1)</script>",
            '<button type="button" onclick="go()">',
            '<div hx-on:click="go()">',
            '<input style="width: 8rem">',
            "<style>p { color: red }</style>",
            '<a href="javascript:go()">',
        ]
    )

    assert len(offences(sample)) == len(OFFENCES)


def test_the_scan_lets_script_files_and_data_through():
    sample = '<script src="/static/js/meetings.js" defer></script>\n<p class="one">once=1</p>'

    assert offences(sample) == []
