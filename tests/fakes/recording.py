"""A request object for python-telegram-bot that answers from the fake Telegram in-process and records every call."""

from __future__ import annotations

from typing import Any

from telegram.request import BaseRequest, RequestData

from fakes.botapi import FakeTelegram, answer


class RecordingRequest(BaseRequest):
    """No network: each Bot API call goes straight to the fake, which records it."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

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
        params = dict(request_data.json_parameters) if request_data is not None else {}
        return answer(self.fake, url.rsplit("/", 1)[-1], params)
