"""A TCP proxy on 127.0.0.1: round robin over backends (a dead one is skipped), optionally delaying each request.

In front of webhook replicas it plays the load balancer; in front of PostgreSQL, with a delay, a slower database.
"""

from __future__ import annotations

import asyncio
import itertools
import threading


class TcpProxy:
    """Each new connection goes to the next backend that accepts it; bytes are copied both ways."""

    def __init__(self, backends: list[tuple[str, int]], delay: float = 0.0) -> None:
        self.backends = backends
        self.delay = delay
        self.port = 0
        self._next = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
        try:
            while chunk := await reader.read(65536):
                if delay:
                    await asyncio.sleep(delay)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        start = next(self._next)
        for attempt in range(len(self.backends)):
            host, port = self.backends[(start + attempt) % len(self.backends)]
            try:
                server_reader, server_writer = await asyncio.open_connection(host, port)
            except OSError:
                continue
            await asyncio.gather(
                self._pipe(client_reader, server_writer, self.delay),
                self._pipe(server_reader, client_writer, 0.0),
            )
            return
        client_writer.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> TcpProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
