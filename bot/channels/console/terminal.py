"""Reading what is typed without blocking the console's event loop, nor its exit (Ctrl-C leaves at once)."""

from __future__ import annotations

import asyncio
import codecs
import io
import os
import threading
from collections.abc import Callable
from typing import TextIO


def read_lines(stream: TextIO) -> asyncio.Queue[str]:
    """Lines typed, each ending in a newline, then '' at the end of input; read by a daemon thread.

    A terminal is read from its file descriptor, under no lock of Python's buffered files: a thread waiting there
    does not keep the process from ending. The bytes are UTF-8; what is not becomes replacement characters.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def push(line: str) -> None:
        loop.call_soon_threadsafe(lines.put_nowait, line)

    try:
        fd = stream.fileno()
    except (OSError, AttributeError, io.UnsupportedOperation):
        reader: Callable[[], None] = lambda: _from_stream(stream, push)  # noqa: E731
    else:
        reader = lambda: _from_descriptor(fd, push)  # noqa: E731
    threading.Thread(target=reader, name="console-input", daemon=True).start()
    return lines


def _from_stream(stream: TextIO, push: Callable[[str], None]) -> None:
    while line := stream.readline():
        push(line)
    push("")


def _from_descriptor(fd: int, push: Callable[[str], None]) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while chunk := os.read(fd, 4096):
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            push(line + "\n")
    pending += decoder.decode(b"", final=True)
    if pending:
        push(pending)
    push("")
