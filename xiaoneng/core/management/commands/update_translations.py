"""Refresh the translation catalogs from the source (Chinese) strings.

Usage (needs GNU gettext on the machine: `apt-get install gettext`):

    manage.py update_translations            # extract, merge, fill zh_Hans, compile, report English gaps
    manage.py update_translations --list     # … and print every English msgid still to translate
    manage.py update_translations --check    # … and fail if English has untranslated or fuzzy entries

Then translate the listed entries in xiaoneng/locale/en/LC_MESSAGES/django.po (keep every
%(name)s placeholder), run it again (or `manage.py compile_translations`), and commit the .po files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.commands import makemessages

HELP = __doc__ or ""
SOURCE_LOCALE = "zh_Hans"  # the language the source strings are written in
TARGET_LOCALES = ["en"]
IGNORE = [".venv", "frontend", "bench", "tests", "staticfiles", "var", "node_modules", "test-results"]
KEEP_HEADER = ("POT-Creation-Date", "PO-Revision-Date", "Last-Translator", "Language-Team")


class _MakeMessages(makemessages.Command):
    # No fuzzy guesses: a new string is simply untranslated, never silently "translated" with the
    # text of a similar one (a wrong Chinese or English text that would ship if nobody noticed).
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]


def _catalog(locale_dir: Path, locale: str) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / "django.po"


def _untranslated(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and not e.translated() and "fuzzy" not in e.flags]


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Print the English entries still to translate.")
        parser.add_argument(
            "--check", action="store_true", help="Fail if English has untranslated or fuzzy entries (for CI)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_dir = Path(settings.BASE_DIR)
        locale_dir = Path(settings.LOCALE_PATHS[0])
        locales = [SOURCE_LOCALE, *TARGET_LOCALES]
        before = {loc: self._snapshot(_catalog(locale_dir, loc)) for loc in locales}

        cwd = Path.cwd()
        os.chdir(base_dir)  # makemessages walks the current directory
        try:
            call_command(
                _MakeMessages(),
                locale=locales,
                domain="django",
                extensions=["html", "txt", "py"],
                ignore_patterns=IGNORE,
                no_location=True,
                no_obsolete=True,
                no_wrap=True,
                verbosity=0,
                stdout=self.stdout,
                stderr=self.stderr,
            )
        finally:
            os.chdir(cwd)

        filled = self._fill_source(_catalog(locale_dir, SOURCE_LOCALE), before[SOURCE_LOCALE])
        self.stdout.write(f"{SOURCE_LOCALE}: {filled} entr(y/ies) filled with their source text")
        problems = 0
        for loc in TARGET_LOCALES:
            path = _catalog(locale_dir, loc)
            po = self._tidy(path, loc, before[loc])
            missing, fuzzy = _untranslated(po), po.fuzzy_entries()
            problems += len(missing) + len(fuzzy)
            self.stdout.write(
                f"{loc}: {len(po.translated_entries())} translated, {len(missing)} untranslated, "
                f"{len(fuzzy)} fuzzy ({path.relative_to(base_dir)})"
            )
            if options["list"]:
                for e in [*missing, *fuzzy]:
                    self.stdout.write(f"  {'[fuzzy] ' if 'fuzzy' in e.flags else ''}{e.msgid}")
        call_command("compile_translations", stdout=self.stdout)
        if options["check"] and problems:
            raise CommandError(f"{problems} English entr(y/ies) untranslated or fuzzy: translate them and rerun")

    @staticmethod
    def _snapshot(path: Path) -> tuple[dict[str, str], set[tuple[str, str, str]]] | None:
        if not path.exists():
            return None
        po = polib.pofile(str(path))
        entries = {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete}
        return {k: po.metadata.get(k, "") for k in KEEP_HEADER}, entries

    def _tidy(
        self, path: Path, locale: str, before: tuple[dict[str, str], set[tuple[str, str, str]]] | None
    ) -> polib.POFile:
        """Settle the header; keep its dates when no msgid changed, so an idle rerun changes nothing."""
        po = polib.pofile(str(path), wrapwidth=0)
        po.metadata_is_fuzzy = False
        po.header = "Xiaoneng (效能) translations. Source language: Simplified Chinese (zh_Hans)."
        po.metadata["Language"] = locale
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.metadata["Project-Id-Version"] = "xiaoneng"
        po.metadata["Report-Msgid-Bugs-To"] = ""
        po.metadata["Last-Translator"] = "Xiaoneng maintainers"
        po.metadata["Language-Team"] = locale
        po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
        if before is not None:
            header, entries = before
            now = {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete}
            if now == entries:
                for k in ("POT-Creation-Date", "PO-Revision-Date"):
                    if header.get(k):
                        po.metadata[k] = header[k]
        po.save()
        return po

    def _fill_source(self, path: Path, before: tuple[dict[str, str], set[tuple[str, str, str]]] | None) -> int:
        """The source language translates to itself: every empty (or fuzzy) msgstr becomes its msgid."""
        po = polib.pofile(str(path), wrapwidth=0)
        filled = 0
        for e in po:
            if e.obsolete:
                continue
            fuzzy = "fuzzy" in e.flags
            if fuzzy:
                e.flags.remove("fuzzy")
                e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
            if e.msgid_plural:
                if fuzzy or not all(e.msgstr_plural.values()):
                    # Chinese has one plural form; the plural msgid is the general one.
                    e.msgstr_plural = {i: e.msgid_plural for i in (e.msgstr_plural or {0: ""})}
                    filled += 1
            elif fuzzy or not e.msgstr:
                e.msgstr = e.msgid
                filled += 1
        po.save()
        self._tidy(path, SOURCE_LOCALE, before)
        return filled
