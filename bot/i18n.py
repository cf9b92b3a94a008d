"""Interface strings from gettext catalogues (compiled in memory at start), and CLDR names and units through babel."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po
from babel.units import format_unit

from bot.content.files import FileRefused, read_bounded
from bot.content.markup import html_tag
from bot.content.problems import ContentError, Problem

DOMAIN = "oncobot"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})


_COLONS = {"fr": "\u00a0: ", "zh": "："}  # French puts a no-break space before it; Chinese has its full-width one
_SEMICOLONS = {"fr": "\u00a0; ", "zh": "；", "ar": "؛ "}
_COMMAS = {"zh": "，", "ar": "، "}


def colon(lang: str) -> str:
    """The colon between a label and its text, as the language writes it (composed lines, not the content's own)."""
    return _COLONS.get(lang, ": ")


def comma(lang: str) -> str:
    """The comma between two notes of a composed line, as the language writes it."""
    return _COMMAS.get(lang, ", ")


def semicolon(lang: str) -> str:
    """The semicolon between items of a composed line, as the language writes it."""
    return _SEMICOLONS.get(lang, "; ")


def bracketed(lang: str, text: str) -> str:
    """A note in brackets after a word ("Nice (297 km)"), with Chinese full-width brackets and no space."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def catalogue_path(root: Path, lang: str) -> Path:
    """Where the catalogue of one language lives under a content root."""
    return root / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(root: Path, lang: str, problems: list[Problem]) -> Catalog | None:
    path = catalogue_path(root, lang)
    rel = path.relative_to(root).as_posix()
    if not path.exists():
        problems.append(Problem(rel, 1, "(file)", f"missing catalogue for language '{lang}'"))
        return None
    try:
        data = read_bounded(path, root)
    except FileRefused as exc:
        problems.append(Problem(rel, 1, "(file)", str(exc)))
        return None
    try:
        return read_po(io.BytesIO(data), locale=lang, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", 1) or 1
        problems.append(Problem(rel, int(line), "(file)", f"broken catalogue: {exc}"))
    except (UnknownLocaleError, ValueError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, 1, "(file)", f"broken catalogue: {exc}"))
    return None


class Interface:
    """Translated interface strings for every declared language; building it fails loudly on any gap."""

    def __init__(self, root: Path, languages: Iterable[str], msgids: Iterable[str]) -> None:
        self.languages = tuple(languages)
        self._messages: dict[str, dict[str, str]] = {}
        self._names: dict[str, str] = {}
        problems: list[Problem] = []
        wanted = tuple(msgids)
        for lang in self.languages:
            try:
                self._names[lang] = _own_name(Locale.parse(lang))  # loads its CLDR data now, not at a first message
            except (UnknownLocaleError, ValueError):
                problems.append(Problem("content.yaml", 1, "languages", f"'{lang}' is not a CLDR language"))
                continue
            catalog = _read(root, lang, problems)
            if catalog is None:
                continue
            rel = catalogue_path(root, lang).relative_to(root).as_posix()
            table: dict[str, str] = {}
            for msgid in wanted:
                message = catalog.get(msgid)
                line = message.lineno if message is not None and message.lineno else 1
                if message is None or not message.string:
                    problems.append(Problem(rel, line, "msgid", f"no translation for {msgid!r}"))
                    continue
                if message.fuzzy:
                    problems.append(Problem(rel, line, "msgstr", f"fuzzy translation for {msgid!r}"))
                    continue
                text = str(message.string)
                if sorted(_PLACEHOLDER.findall(text)) != sorted(_PLACEHOLDER.findall(msgid)):
                    problems.append(Problem(rel, line, "msgstr", f"placeholders differ from {msgid!r}"))
                    continue
                tag = html_tag(text)
                if tag is not None:
                    problems.append(Problem(rel, line, "msgstr", f"HTML tag {tag} in the translation of {msgid!r}"))
                    continue
                table[msgid] = text
            self._messages[lang] = table
        if problems:
            raise ContentError(problems)

    def gettext(self, lang: str, msgid: str) -> str:
        """The translation of an interface string; every one is present, checked at start."""
        return self._messages[lang][msgid]

    def language_name(self, lang: str) -> str:
        """A language's name in that language, from CLDR, as it would start a button."""
        return self._names.get(lang) or _own_name(Locale.parse(lang))

    def format_distance(self, km: float, lang: str) -> str:
        """A distance in kilometres, worded and formatted for the reader's locale."""
        value = round(km) if km >= 10 else round(km, 1)
        return str(format_unit(value, "length-kilometer", length="short", locale=lang))


def _own_name(locale: Locale) -> str:
    name = locale.get_display_name(locale) or str(locale)
    return name[:1].upper() + name[1:]


def bidi_clean(text: str, lang: str) -> str:
    """Make right-to-left lines start right-to-left when they open with a Latin name; once, as replies get amended."""
    if lang not in RTL_LANGUAGES:
        return text
    lines = []
    for line in text.split("\n"):
        first = next((ch for ch in line if ch.isalpha()), "")
        has_rtl = any("\u0590" <= ch <= "\u08ff" for ch in line)
        if first and has_rtl and not ("\u0590" <= first <= "\u08ff") and not line.startswith("\u200f"):
            line = "\u200f" + line
        lines.append(line)
    return "\n".join(lines)
