"""YAML parsing that remembers the line of every value, so a problem can name its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.files import FileRefused, read_bounded
from bot.content.problems import Path_, Problem, Severity, field_name


class YamlSyntaxError(Exception):
    """The file is not valid YAML; carries the parser's line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


MAX_DEPTH = 32  # nesting levels a content file may use (the shipped ones use at most 6)
# The tags plain data resolves to; any other (python objects, binary, sets, custom "!x") is refused, on any node.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)


def _check_node(node: yaml.Node, seen: set[int], depth: int, used_at: int) -> None:
    line = node.start_mark.line + 1
    if id(node) in seen:  # the composer hands an alias the very node of its anchor: expanding it could explode
        raise YamlSyntaxError(used_at, "YAML anchors and aliases (&name, *name) are not allowed: repeat the text")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(line, f"nested more than {MAX_DEPTH} levels deep")
    if node.tag not in _PLAIN_TAGS:
        raise YamlSyntaxError(line, f"tag '{node.tag}' is not allowed (plain text, numbers, lists and mappings only)")


def _walk(loader: Any, node: yaml.Node, path: Path_, lines: dict[Path_, int], seen: set[int], used_at: int) -> Any:
    """Plain data from a composed node, refusing what could explode or construct objects (aliases, tags)."""
    _check_node(node, seen, len(path), used_at)
    line = lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            _check_node(key_node, seen, len(path) + 1, key_line)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(key_line, "a key must be plain text")
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlSyntaxError(key_line, f"unusable key {key!r}")
            key = str(key)
            if key in out:
                raise YamlSyntaxError(key_line, f"duplicate key '{key}'")
            out[key] = _walk(loader, value_node, (*path, key), lines, seen, key_line)
            lines[(*path, key)] = key_line  # point at the key, not at a block below it
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*path, i), lines, seen, line) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # an integer of 5,000 digits, a date of month 13
        raise YamlSyntaxError(node.start_mark.line + 1, f"unreadable value ({exc})") from exc


# libyaml's parser when PyYAML was built with it: the same documents, several times faster.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document into plain data plus the line of each path."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = None if node is None else _walk(loader, node, (), lines, set(), 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"{exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from exc
    except RecursionError as exc:  # the pure-Python parser, when libyaml is missing, recurses on nesting
        raise YamlSyntaxError(1, f"nested more than {MAX_DEPTH} levels deep") from exc
    finally:
        loader.dispose()
    return data, lines


@dataclass
class Sink:
    """Collects problems from every file so the editor sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int, path: Path_, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(file, line, field_name(path), message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class YamlFile:
    """A parsed file and its lines, with helpers that report typed-field problems at the right line."""

    rel: str
    data: Any
    lines: dict[Path_, int]
    sink: Sink

    @classmethod
    def read(cls, path: Path, rel: str, sink: Sink, root: Path | None = None) -> YamlFile | None:
        """Parse a file of at most MAX_FILE_BYTES (inside `root`, if given) or report why it cannot be used."""
        try:
            text = read_bounded(path, root).decode("utf-8")
        except FileRefused as exc:
            sink.add(rel, 1, (), str(exc))
            return None
        except UnicodeDecodeError as exc:
            sink.add(rel, 1, (), f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None
        try:
            data, lines = parse_yaml(text)
        except YamlSyntaxError as exc:
            sink.add(rel, exc.line, (), f"malformed YAML: {exc}")
            return None
        doc = cls(rel, data, lines, sink)
        if not isinstance(data, dict):
            doc.error((), "expected a mapping with 'version: 1' at the top")
            return None
        if data.get("version") != 1:
            doc.error(("version",) if "version" in data else (), "expected 'version: 1'")
            return None
        return doc

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: Path_, message: str, severity: Severity = "error") -> None:
        self.sink.add(self.rel, self.line(path), path, message, severity)

    def warn(self, path: Path_, message: str) -> None:
        self.error(path, message, "warning")

    def known_keys(self, obj: dict[str, Any], path: Path_, allowed: set[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.error((*path, key), f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def text(self, obj: dict[str, Any], key: str, path: Path_, required: bool = True) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.error((*path, key) if key in obj else path, f"missing '{key}'" if key not in obj else "empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((*path, key), f"expected text, got {type(value).__name__}")
            return None
        value = str(value).strip()
        if not value:
            self.error((*path, key), "empty text")
            return None
        return value

    def texts(self, obj: dict[str, Any], key: str, path: Path_, required: bool = False) -> tuple[str, ...]:
        """A list of texts; a single text is accepted as a list of one."""
        value = obj.get(key)
        if value is None:
            if required:
                self.error(path, f"missing '{key}'")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error((*path, key), f"expected a list, got {type(value).__name__}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or not str(item).strip():
                self.error((*path, key, i), "expected non-empty text")
                continue
            out.append(str(item).strip())
        if required and not out:
            self.error((*path, key), "empty list")
        return tuple(out)

    def flag(self, obj: dict[str, Any], key: str, path: Path_) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.error((*path, key), f"expected true or false, got {value!r}")
            return False
        return value

    def number(self, obj: dict[str, Any], key: str, path: Path_) -> float | None:
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error((*path, key) if key in obj else path, f"expected a number for '{key}'")
            return None
        return float(value)

    def per_language(
        self, obj: dict[str, Any], key: str, path: Path_, languages: tuple[str, ...], required: bool = True
    ) -> dict[str, str]:
        """A text in every declared language."""
        value = obj.get(key)
        if value is None:
            if required:
                self.error(path, f"missing '{key}'")
            return {}
        if not isinstance(value, dict):
            self.error((*path, key), f"expected one text per language, got {type(value).__name__}")
            return {}
        out: dict[str, str] = {}
        for lang in value:
            if lang not in languages:
                self.error((*path, key, lang), f"unknown language '{lang}' (declared: {', '.join(languages)})")
                continue
            got = self.text(value, lang, (*path, key))
            if got is not None:
                out[lang] = got
        for lang in languages:
            if lang not in value:
                self.error((*path, key), f"missing language '{lang}'")
        return out

    def entries(self, key: str) -> list[tuple[Path_, dict[str, Any]]]:
        """The mappings of a top-level list, with their paths."""
        value = self.data.get(key)
        if value is None:
            self.error((), f"missing '{key}'")
            return []
        if not isinstance(value, list):
            self.error((key,), f"expected a list, got {type(value).__name__}")
            return []
        out: list[tuple[Path_, dict[str, Any]]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.error((key, i), f"expected a mapping, got {type(item).__name__}")
                continue
            out.append(((key, i), item))
        return out
