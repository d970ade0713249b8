"""Every word a template shows comes through the translation catalog: no literal Chinese text and no
full-width punctuation outside ``{% translate %}`` / ``{% blocktranslate %}``, so the English UI has
no leftover Chinese and no full-width colons (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent / "xiaoneng"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# The brand mark (the character 效 in a square, hidden from screen readers) is a logo, not text.
BRAND_MARK = '<span class="brand-mark" aria-hidden="true">效</span>'


def _untranslated(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    in_block = 0
    in_comment = False
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                in_block += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                in_block -= 1
            elif name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
        elif token.token_type is TokenType.TEXT and not in_block and not in_comment:
            text = token.contents.replace(BRAND_MARK, "")
            for m in CJK.finditer(text):
                line = token.lineno + text[: m.start()].count("\n")
                found.append((line, text[max(0, m.start() - 20) : m.end() + 20].strip()))
    return found


def test_templates_have_no_untranslated_chinese() -> None:
    problems = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        for line, text in _untranslated(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not problems, "untranslated text in templates:\n" + "\n".join(problems)
