"""Rule IDs (CAS-6, CAT-1 …) belong in code and tests, never in what a user reads (issue 9): no
translatable string of the cases app — messages, constraint messages, clock reasons, templates —
carries one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

APP = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"\b(?:CAS|CAT|CLK|SUP|CMP|RAT)-\d+")
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
    found = [
        f"{path.relative_to(APP)}:{line}: {text}"
        for path in sorted(APP.glob("*.py"))
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


def test_no_rule_id_anywhere_in_any_template_comments_included() -> None:
    """Templates are what pages are made of: a rule ID there, even in a comment, is one edit away from
    the page, and a reviewer grepping templates cannot tell the two apart. Rule IDs stay in Python."""
    any_rule = re.compile(r"\b(?:ACC|CAS|CAT|CLK|CMP|DIS|EVA|INS|RAT|SUP)(?:-[A-Z]{2,4})?-\d+")
    found = [
        f"{path.relative_to(APP.parent)}:{n}: {line.strip()[:80]}"
        for path in sorted(APP.parent.glob("**/templates/**/*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any_rule.search(line)
    ]
    assert not found, "\n".join(found)
