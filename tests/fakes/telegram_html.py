"""Telegram's HTML parse mode as TDLib applies it: visible text, entities, and the exact refusals."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

TAG_ENTITY = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
              "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
              "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
              "tg-emoji": "custom_emoji"}
ALLOWED_TAGS = frozenset(TAG_ENTITY)
_ENTITY_REF = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Why Telegram's HTML parser refuses a text (TDLib's wording)."""


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the visible text
    begin: int  # byte offset of the tag in the source, for messages
    chars: int  # index in the visible text, for <a> without href


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: (visible text, entities with UTF-16 offsets), or HtmlError."""
    parser = _HtmlParser(text, strict_ampersand)
    return parser.run()


class _HtmlParser:
    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.text, self.strict = text, strict_ampersand
        self.i = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == "&":
                self._entity_ref()
            elif char == "<" and self._peek(1) == "/":
                self._end_tag()
            elif char == "<":
                self._start_tag()
            else:
                self._emit(char)
                self.i += 1
        if self.stack:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _peek(self, ahead: int = 0) -> str:
        at = self.i + ahead
        return self.text[at] if at < len(self.text) else ""

    def _byte(self, at: int) -> int:
        return len(self.text[:at].encode("utf-8"))

    def _emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def _skip_spaces(self) -> None:
        while self._peek().isspace():
            self.i += 1

    def _entity_ref(self) -> None:
        match = _ENTITY_REF.match(self.text, self.i)
        if match is None:
            if self.strict:
                raise HtmlError(f'Unescaped "&" at byte offset {self._byte(self.i)} (fake: Telegram would keep it)')
            self._emit("&")
            self.i += 1
            return
        decimal, hexadecimal, name = match.groups()
        code = int(decimal) if decimal else int(hexadecimal, 16) if hexadecimal else None
        self._emit(_NAMED[name] if name else chr(code) if code and code < 0x110000 else "\ufffd")
        self.i = match.end()

    def _start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self._peek() and not self._peek().isspace() and self._peek() != ">":
            self.i += 1
        if not self._peek():
            raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        tag = self.text[begin + 1:self.i].lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {self._byte(begin)}')
        argument = ""
        while True:
            self._skip_spaces()
            if not self._peek():
                raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            if self._peek() == ">":
                break
            name, value = self._attribute(tag, begin)
            argument = _argument(tag, name, value) or argument
        self.i += 1
        if tag == "span" and argument != "spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}')
        self.stack.append(_Open(tag, argument, self.utf16, self._byte(begin), len("".join(self.out))))

    def _attribute(self, tag: str, begin: int) -> tuple[str, str | None]:
        start = self.i
        while self._peek() and not self._peek().isspace() and self._peek() not in "=>":
            self.i += 1
        name = self.text[start:self.i].lower()
        if not name:
            raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}')
        self._skip_spaces()
        if self._peek() != "=":
            if tag == "blockquote" and name == "expandable":
                return name, None
            raise HtmlError(f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                            f"at byte offset {self._byte(begin)}")
        self.i += 1
        self._skip_spaces()
        if not self._peek():
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
        return name, self._quoted() if self._peek() in "'\"" else self._name_token()

    def _quoted(self) -> str:
        quote = self._peek()
        end = self.text.find(quote, self.i + 1)
        end = len(self.text) if end < 0 else end
        value = html.unescape(self.text[self.i + 1:end])
        self.i = min(end + 1, len(self.text))
        return value

    def _name_token(self) -> str:
        start = self.i
        while self._peek() and (self._peek().isalnum() or self._peek() in ".-"):
            self.i += 1
        if self._peek() and not self._peek().isspace() and self._peek() != ">":
            raise HtmlError(f"Unexpected end of name token at byte offset {self._byte(start)}")
        return self.text[start:self.i].lower()

    def _end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        self.i += 2
        while self._peek() and not self._peek().isspace() and self._peek() != ">":
            self.i += 1
        name = self.text[begin + 2:self.i].lower()
        self._skip_spaces()
        if self._peek() != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        self.i += 1
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise HtmlError(f'Unmatched end tag at byte offset {self._byte(begin)}, expected "</{opened.tag}>", '
                            f'found "</{name}>"')
        self._close(opened)

    def _close(self, opened: _Open) -> None:
        length = self.utf16 - opened.offset
        # <pre><code class="language-x">…</code></pre> is one pre entity with a language
        parent = self.stack[-1] if self.stack else None
        if opened.tag == "code" and opened.argument and parent and parent.tag == "pre" \
                and parent.offset == opened.offset:
            parent.argument = opened.argument
            return
        if length <= 0:
            return
        entity: dict[str, Any] = {"type": TAG_ENTITY[opened.tag], "offset": opened.offset, "length": length}
        if opened.tag == "a":
            entity["url"] = opened.argument or "".join(self.out)[opened.chars:]
        elif opened.tag == "pre" and opened.argument:
            entity["language"] = opened.argument
        elif opened.tag == "blockquote" and opened.argument:
            entity["type"] = "expandable_blockquote"
        elif opened.tag == "tg-emoji":
            entity["custom_emoji_id"] = opened.argument
        self.entities.append(entity)


def _argument(tag: str, name: str, value: str | None) -> str:
    """The one attribute each tag cares about, as TDLib keeps it (others are ignored)."""
    if tag == "a" and name == "href":
        return value or ""
    if tag == "code" and name == "class" and (value or "").startswith("language-"):
        return (value or "")[len("language-"):]
    if tag == "span" and name == "class" and (value or "").startswith("tg-"):
        return (value or "")[len("tg-"):]
    if tag == "tg-emoji" and name == "emoji-id":
        return value or ""
    if tag == "blockquote" and name == "expandable":
        return "expandable"
    return ""


def html_problem(text: str) -> str | None:
    """What Telegram's HTML parser would say about `text` (None: it parses)."""
    try:
        parse_html(text)
    except HtmlError as error:
        return str(error)
    return None


def visible_text(text: str) -> str:
    """`text` as a Telegram user sees it after HTML parsing (tags dropped, entities decoded)."""
    try:
        return parse_html(text, strict_ampersand=False)[0]
    except HtmlError:
        return html.unescape(re.sub(r"<[^<>]+>", "", text))


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2
