"""Objects of a fixed set of classes to JSON and raw numeric arrays and back: a file that holds data, never code to run.

Unlike pickle, reading names no module, calls no constructor and runs no method but the listed classes' own
`__setstate__`: a crafted file can at worst fail to decode (a ValueError), and the caller rebuilds what it held.
The file is a marker, the JSON document's length and the document, then the arrays' bytes (numbers only: no object
arrays), which numpy reads in place without a copy per array, so a start reads 27 MB of models in a few milliseconds.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

MAGIC = b"oncobot-plaindata-1\n"
ALIGN = 64  # each array starts on a multiple of this many bytes
MAX_DEPTH = 64  # nesting a document may have; deeper means crafted
_NUMERIC_KINDS = frozenset("biuf")  # booleans, signed and unsigned integers, floats
_SEP = "\x00"  # between the terms of a vocabulary (a term holding it is stored the slow way)
_PRIMITIVES = frozenset({str, int, float, bool, type(None)})


class Codec:
    """Encodes objects of the given classes (by their state) and the given functions (by their name)."""

    def __init__(self, classes: Mapping[str, type], functions: Mapping[str, Callable[..., Any]]) -> None:
        self.classes = dict(classes)
        self.class_names = {cls: name for name, cls in self.classes.items()}
        self.functions = dict(functions)
        self.function_names = {id(f): name for name, f in self.functions.items()}
        # Objects met so far in one save or load, so an object held in two places comes back as one (not thread-safe).
        self._numbers: dict[int, int] = {}
        self._objects: list[Any] = []

    def save(self, target: IO[bytes], value: Any) -> None:
        """Write the value: the marker, the document's length, the document, then each array's bytes, aligned."""
        arrays: dict[str, np.ndarray] = {}
        self._numbers = {}
        document = self._encode(value, arrays)
        layout: dict[str, list[Any]] = {}
        offset = 0
        for name, array in arrays.items():
            offset = -(-offset // ALIGN) * ALIGN
            layout[name] = [array.dtype.str, list(array.shape), offset]
            offset += array.nbytes
        header = json.dumps({"arrays": layout, "value": document}, ensure_ascii=False, separators=(",", ":")).encode()
        target.write(MAGIC + len(header).to_bytes(8, "little") + header)
        written = 0
        for name, array in arrays.items():
            start = layout[name][2]
            target.write(b"\0" * (start - written))
            target.write(np.ascontiguousarray(array).tobytes())
            written = start + array.nbytes

    def load(self, source: Path | IO[bytes]) -> Any:
        """Read a file written by save; anything else raises ValueError."""
        try:
            data = _read_all(source)
            if not data.startswith(MAGIC):
                raise ValueError("not a file written by this codec")
            at = len(MAGIC) + 8
            size = int.from_bytes(data[len(MAGIC) : at], "little")
            if at + size > len(data):
                raise ValueError("a document longer than the file")
            header = json.loads(bytes(data[at : at + size]).decode("utf-8"))
            body = memoryview(data)[at + size :]
            arrays = {name: _array(body, spec) for name, spec in dict(header["arrays"]).items()}
            self._objects = []
            return self._decode(header["value"], arrays, 0)
        except ValueError:
            raise
        except (OSError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
            raise ValueError(f"not a file written by this codec ({type(exc).__name__}: {exc})") from exc

    def _encode(self, value: Any, arrays: dict[str, np.ndarray]) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise TypeError("an array of Python objects")
            name = f"a{len(arrays)}"
            arrays[name] = value
            return {"A": name}
        if isinstance(value, np.generic):
            return self._encode(value.item(), arrays)
        if isinstance(value, list):
            return [self._encode(v, arrays) for v in value]
        if isinstance(value, tuple):
            return {"T": [self._encode(v, arrays) for v in value]}
        if isinstance(value, frozenset | set):
            tag = "F" if isinstance(value, frozenset) else "S"
            return {tag: [self._encode(v, arrays) for v in sorted(value, key=repr)]}
        if isinstance(value, defaultdict):
            if value.default_factory is not list:
                raise TypeError("a defaultdict of other than lists")
            return {"DL": [[self._encode(k, arrays), self._encode(v, arrays)] for k, v in value.items()]}
        if isinstance(value, dict):
            if all(type(k) is str for k in value):
                if value and all(type(v) is int for v in value.values()) and not any(_SEP in k for k in value):
                    # vocabularies: their terms as one text, their columns as one array (fast to read back)
                    return {"SI": [_SEP.join(value), self._encode(np.fromiter(value.values(), np.int64), arrays)]}
                return {"D": {k: self._encode(v, arrays) for k, v in value.items()}}
            return {"P": [[self._encode(k, arrays), self._encode(v, arrays)] for k, v in value.items()]}
        if isinstance(value, Path):
            return {"Path": str(value)}
        if callable(value) and id(value) in self.function_names:
            return {"f": self.function_names[id(value)]}
        class_name = self.class_names.get(type(value))
        if class_name is None:
            raise TypeError(f"cannot store a {type(value).__qualname__}")
        if id(value) in self._numbers:
            return {"R": self._numbers[id(value)]}
        self._numbers[id(value)] = len(self._numbers)
        state = value.__getstate__()
        if not isinstance(state, dict):
            raise TypeError(f"the state of a {class_name} is not a mapping")
        return {"O": class_name, "s": {k: self._encode(v, arrays) for k, v in state.items()}}

    def _decode(self, data: Any, arrays: dict[str, np.ndarray], depth: int) -> Any:
        if data is None or isinstance(data, bool | int | float | str):
            return data
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        depth += 1
        if isinstance(data, list):
            return data if _plain(data) else [self._decode(v, arrays, depth) for v in data]
        if not isinstance(data, dict) or not 1 <= len(data) <= 2:
            raise ValueError("not an encoded value")
        tag, body = next(iter(data.items()))
        if tag == "A":
            return arrays[_text(body)]
        if tag == "T":
            body = _list(body)
            return tuple(body) if _plain(body) else tuple(self._decode(v, arrays, depth) for v in body)
        if tag in ("F", "S"):
            items = self._decode(_list(body), arrays, depth)
            return frozenset(items) if tag == "F" else set(items)
        if tag == "SI":
            keys, values = _list(body)
            columns = self._decode(values, arrays, depth)
            if not isinstance(columns, np.ndarray) or columns.dtype != np.int64:
                raise ValueError("a vocabulary of other than terms and columns")
            return dict(zip(_text(keys).split(_SEP), columns.tolist(), strict=True))
        if tag == "D":
            if not isinstance(body, dict):
                raise ValueError("not a mapping")
            return {k: self._decode(v, arrays, depth) for k, v in body.items()}
        if tag in ("P", "DL"):
            pairs = {_hashable(self._decode(k, arrays, depth)): self._decode(v, arrays, depth) for k, v in _pairs(body)}
            return defaultdict(list, pairs) if tag == "DL" else pairs
        if tag == "Path":
            return Path(_text(body))
        if tag == "f":
            if body not in self.functions:
                raise ValueError(f"unknown function {body!r}")
            return self.functions[body]
        if tag == "R":
            if type(body) is not int or not 0 <= body < len(self._objects):
                raise ValueError("a reference to no earlier object")
            return self._objects[body]
        if tag == "O":
            cls = self.classes.get(_text(body))
            if cls is None:
                raise ValueError(f"unknown class {body!r}")
            obj: Any = object.__new__(cls)
            self._objects.append(obj)  # numbered before its state, as when it was saved
            state = self._decode({"D": data.get("s")}, arrays, depth)
            setstate = getattr(cls, "__setstate__", None)
            if setstate is not None:
                setstate(obj, state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ValueError(f"unknown tag {tag!r}")


def _read_all(source: Path | IO[bytes]) -> bytearray:
    """The whole file in one buffer the arrays will share (read into it: no second copy at the peak)."""
    if not isinstance(source, Path):
        return bytearray(source.read())
    with source.open("rb") as fh:
        data = bytearray(os.fstat(fh.fileno()).st_size)
        if fh.readinto(data) != len(data):
            raise ValueError("the file changed while read")
    return data


def _array(body: memoryview, spec: Any) -> np.ndarray:
    """One array of numbers, read in place from the file's bytes; any other kind of array is refused."""
    dtype_text, shape, offset = spec
    dtype = np.dtype(_text(dtype_text))
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject:
        raise ValueError(f"an array of {dtype}: only numbers are stored")
    if not all(type(n) is int and n >= 0 for n in [*_list(shape), offset]):
        raise ValueError("a malformed array shape")
    count = math.prod(shape)
    if offset + count * dtype.itemsize > len(body):
        raise ValueError("an array beyond the end of the file")
    return np.frombuffer(body, dtype=dtype, count=count, offset=offset).reshape(shape)


def _plain(items: list[Any]) -> bool:
    """Whether a list holds only texts and numbers, which need no decoding."""
    return set(map(type, items)) <= _PRIMITIVES


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a name")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _pairs(value: Any) -> list[tuple[Any, Any]]:
    pairs = _list(value)
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise ValueError("expected key-value pairs")
    return [(k, v) for k, v in pairs]


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError as exc:
        raise ValueError("an unusable key") from exc
    return key
