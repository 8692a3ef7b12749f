"""German is first-class: every message of the catalogue of translations is translated and
none is fuzzy. `make test` runs makemessages first, so a new string without a German
translation fails here."""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"


def parse_po(text: str) -> list[dict]:
    """Entries as {"flags": set, "msgid": str, "msgstr": [str, ...]} (header skipped)."""
    entries, current, field = [], None, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgid": "", "msgstr": [], "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line):
            field = match.group(1)
            if field.startswith("msgstr"):
                current["msgstr"].append(match.group(2))
            elif field == "msgid":
                current["msgid"] = match.group(2)
        elif line.startswith('"') and field:
            if field.startswith("msgstr"):
                current["msgstr"][-1] += line.strip('"')
            elif field == "msgid":
                current["msgid"] += line.strip('"')
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def test_german_catalogue_exists():
    assert PO.exists(), "locale/de/LC_MESSAGES/django.po is missing"


def test_german_translations_complete_and_not_fuzzy():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    assert len(entries) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert not fuzzy, f"fuzzy German messages: {fuzzy[:10]}"
    assert not untranslated, f"untranslated German messages: {untranslated[:10]}"


def test_parse_po_detects_untranslated_and_fuzzy():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr "Content-Type: text/plain"',
            "",
            "#, fuzzy",
            'msgid "Save"',
            'msgstr "Sichern"',
            "",
            'msgid "Open"',
            'msgstr ""',
            "",
        ]
    )
    entries = parse_po(sample)
    assert [e["msgid"] for e in entries] == ["Save", "Open"]
    assert "fuzzy" in entries[0]["flags"]
    assert entries[1]["msgstr"] == [""]
