"""Updates per second through Application.process_update, on one core, with a request object that records calls.

Run: python benchmarks/telegram_updates.py [--updates N].
Target: ≥ 1,000 updates/s for a mix of questions in all languages.
The Bot API is not involved: the request object answers every call with a canned result, so the figure is the
assistant's own cost (parsing the update, the engine, building the reply and its keyboard, the store).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from telegram import Update  # noqa: E402 - the path above makes the repository importable
from telegram.request import BaseRequest, RequestData  # noqa: E402

from bot.assistant import build_engine  # noqa: E402
from bot.channels.telegram.channel import TelegramChannel  # noqa: E402
from bot.evaluation import read_cases  # noqa: E402
from bot.settings import Settings  # noqa: E402

BOT = {"id": 1, "is_bot": True, "first_name": "Oncobot", "username": "oncobot_bench_bot"}


class CannedRequest(BaseRequest):
    """Records each method called and answers it at once."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.next_id = 1

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            result: Any = BOT
        elif name in ("sendMessage", "sendVenue"):
            self.next_id += 1
            result = {
                "message_id": self.next_id,
                "date": 0,
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT,
                "text": "x",
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def updates(texts: list[str], count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        user = 1000 + i % 500
        out.append(
            {
                "update_id": i + 1,
                "message": {
                    "message_id": i + 1,
                    "date": 0,
                    "chat": {"id": user, "type": "private", "first_name": "U"},
                    "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "en"},
                    "text": texts[i % len(texts)],
                },
            }
        )
    return out


async def measure(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as state:
        settings = Settings.from_env(
            {"ONCOBOT_STATE_DIR": state, "TELEGRAM_BOT_TOKEN": "1:BENCH", "FLOOD_PER_MINUTE": "1000000"}
        )
        engine = build_engine(settings)
        request = CannedRequest()
        channel = TelegramChannel(engine, settings)
        app = channel.build(request, updater=False, rate_limit=False)
        await app.initialize()
        texts = [c.text for c in read_cases(REPO / "tests/eval/public.yaml")]
        batch = updates(texts, count)
        for data in batch[:200]:  # warm the caches the way a running bot has them
            await app.process_update(Update.de_json({**data, "update_id": data["update_id"] + 10**7}, app.bot))
        start = time.perf_counter()
        for data in batch:
            await app.process_update(Update.de_json(data, app.bot))
        elapsed = time.perf_counter() - start
        await app.shutdown()
    return {
        "updates": count,
        "seconds": round(elapsed, 2),
        "updates_per_s": round(count / elapsed),
        "calls": request.calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.updates))
    print(
        f"{figures['updates']} updates in {figures['seconds']} s: {figures['updates_per_s']} updates/s on one core "
        "(target ≥ 1,000)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
