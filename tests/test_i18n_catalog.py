"""The German catalog covers every translatable string, exactly: nothing missing, empty,
fuzzy or stale, the same placeholders as the English, and the glossary's words throughout."""

import csv
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from lib import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) → where it is used, from the sources babel.cfg names."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[tuple[str, str | None], list[str]] = {}
    for path, line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map):
        key = message if isinstance(message, str) else message[0]
        found.setdefault((key, context), []).append(f"{path}:{line}")
    return found


def catalog_entries() -> dict[tuple[str, str | None], tuple[object, Path]]:
    entries: dict[tuple[str, str | None], tuple[object, Path]] = {}
    for path in i18n.catalog_files("de"):
        with path.open("rb") as source:
            for message in read_po(source, locale="de"):
                if not message.id:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                assert (key, message.context) not in entries, (
                    f"{key!r} is in {path.name} and {entries[(key, message.context)][1].name}")
                entries[(key, message.context)] = (message, path)
    return entries


@pytest.fixture(scope="module")
def sources():
    return extracted()


@pytest.fixture(scope="module")
def german():
    return catalog_entries()


def test_the_sources_have_translatable_strings(sources):
    assert ("Log out", None) in sources
    assert len(sources) > 50


def test_every_string_has_a_german_translation(sources, german):
    missing = [f"{key[0]!r} ({where[0]})" for key, where in sources.items() if key not in german]
    assert not missing, f"{len(missing)} strings lack German: " + "; ".join(missing[:40])


def test_no_translation_is_empty_or_fuzzy(german):
    bad = []
    for key, (message, path) in german.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            bad.append(f"{key[0]!r} in {path.name}")
    assert not bad, "empty or fuzzy: " + "; ".join(bad[:40])


def test_no_translation_is_stale(sources, german):
    stale = [f"{key[0]!r} in {path.name}" for key, (_, path) in german.items()
             if key not in sources]
    assert not stale, f"{len(stale)} entries no source uses: " + "; ".join(stale[:40])


def test_translations_keep_the_placeholders(german):
    wrong = []
    for key, (message, _) in german.items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{key[0]!r}: {sorted(wanted)} vs {text!r}")
    assert not wrong, "; ".join(wrong[:40])


def glossary() -> list[dict[str, str]]:
    with (i18n.LOCALE_DIR / "glossary.csv").open(encoding="utf-8") as source:
        return list(csv.DictReader(source))


def test_the_glossary_words_are_used_throughout(german):
    """Where the English says a product word, the German says the glossary's word."""
    off = []
    for term in glossary():
        english = re.compile(rf"\b{re.escape(term['en'])}s?\b", re.IGNORECASE)
        for key, (message, _) in german.items():
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if any(english.search(PLACEHOLDER.sub('', text)) for text in ids) and not any(
                    re.search(term["de_pattern"], text) for text in strings):
                off.append(f"{term['en']}→{term['de']}: {key[0]!r} = {strings[0]!r}")
    assert not off, f"{len(off)} translations leave the glossary: " + "; ".join(off[:40])
