"""Rule IDs (INS-3, CAT-1 …) belong in code and tests, never in what a user reads: no translatable string
of the inspections app — messages, constraint messages, clock labels — nor any template carries one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

APP = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"\b(?:INS|CAS|CAT|CLK|SUP|CMP|RAT|DIS|ACC|EVA)-\d+")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "gettext_noop"}


def _translatable_strings(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((node.lineno, arg.value))
    return out


def test_no_rule_id_in_the_apps_messages() -> None:
    paths = [p for p in sorted(APP.rglob("*.py")) if "tests" not in p.parts and "migrations" not in p.parts]
    assert len(paths) > 10
    found = [
        f"{path.relative_to(APP)}:{line}: {text}"
        for path in paths
        for line, text in _translatable_strings(path)
        if RULE_ID.search(text)
    ]
    assert not found, "\n".join(found)


def test_no_rule_id_in_the_apps_templates() -> None:
    found = []
    for path in sorted((APP / "templates").rglob("*.html")):
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type in (TokenType.TEXT, TokenType.BLOCK, TokenType.VAR) and RULE_ID.search(token.contents):
                found.append(f"{path.relative_to(APP)}:{token.lineno}: {token.contents[:80]}")
    assert not found, "\n".join(found)
