"""Translations: Chinese is the source and default language, English is complete and selectable
(conventions §8). The catalogs are refreshed with `manage.py update_translations`."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.utils import translation

from xiaoneng.core.management.commands.update_translations import Command

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGS = {loc: LOCALE_DIR / loc / "LC_MESSAGES" / "django.po" for loc in ("zh_Hans", "en")}
# a named placeholder with optional conversion flags (%(n)s, %(m)02d), or a template variable
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdif]|\{\{\s*(\w+)\s*\}\}")


@pytest.fixture(scope="module")
def compiled():
    """The .mo files are build output (./xn setup compiles them); compile here when a .po is newer, and
    drop Django's cached catalogs so this process reads the fresh ones."""
    stale = [
        p
        for p in CATALOGS.values()
        if not p.with_suffix(".mo").exists() or p.with_suffix(".mo").stat().st_mtime < p.stat().st_mtime
    ]
    if stale:
        call_command("compile_translations", verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
    return


@pytest.mark.parametrize("locale", sorted(CATALOGS))
def test_catalog_has_no_untranslated_and_no_fuzzy_entries(locale):
    # given the catalog
    po = polib.pofile(str(CATALOGS[locale]))
    # then every entry is translated, none is a guess
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


def test_english_translations_keep_every_placeholder():
    po = polib.pofile(str(CATALOGS["en"]))
    wrong = []
    for e in po.translated_entries():
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        targets = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        wanted = {m.group(1) or m.group(2) for s in sources for m in PLACEHOLDER.finditer(s)}
        for t in targets:
            have = {m.group(1) or m.group(2) for m in PLACEHOLDER.finditer(t)}
            if e.msgid_plural:
                # a singular English form may spell out "one" instead of %(count)s
                if not have <= wanted:
                    wrong.append(e.msgid)
            elif have != wanted:
                wrong.append(e.msgid)
    assert wrong == []


def test_english_translations_contain_no_chinese_outside_quoted_input():
    po = polib.pofile(str(CATALOGS["en"]))
    han = re.compile(r"[\u4e00-\u9fff]")
    # Chinese stays only where the user must type it, quoted: e.g. “调休上班：” in the holiday format.
    quoted = re.compile(r"“[^”]*”")
    leftovers = [e.msgid for e in po.translated_entries() if han.search(quoted.sub("", e.msgstr))]
    assert leftovers == []


def test_source_catalog_translates_to_itself():
    po = polib.pofile(str(CATALOGS["zh_Hans"]))
    assert all(e.msgstr == e.msgid for e in po.translated_entries() if not e.msgid_plural)


@pytest.mark.django_db
def test_default_language_is_chinese(client, compiled):
    # when
    body = client.get("/").content.decode()
    # then
    assert '<html lang="zh-hans">' in body
    assert "效能政务服务平台" in body
    assert "登录" in body


@pytest.mark.django_db
def test_english_is_selectable_with_the_language_cookie(client, compiled):
    # given the language cookie the language switch sets
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    body = client.get("/").content.decode()
    # then the site speaks English
    assert '<html lang="en">' in body
    assert "Xiaoneng Government Services Platform" in body
    assert "效能政务服务平台" not in body
    assert ">Sign in<" in body


@pytest.mark.django_db
def test_the_language_switch_sets_the_cookie(client, compiled):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Xiaoneng Government Services Platform" in client.get("/").content.decode()


def test_translation_activates_in_code(compiled):
    with translation.override("en"):
        assert str(settings.XIAONENG_SITE_NAME) == "Xiaoneng Government Services Platform"
    with translation.override("zh-hans"):
        assert str(settings.XIAONENG_SITE_NAME) == "效能政务服务平台"


def test_update_translations_documents_its_use():

    assert "apt-get install gettext" in Command.help
    assert "--check" in Command.help
