"""The running service: inbox and delivery workers, polling or the webhook with health and metrics, a graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from urllib.parse import urlsplit

from aiohttp import web
from telegram.warnings import PTBDeprecationWarning

from bot.channels.health import Health
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.receive import ALL_UPDATES, poll, webhook_app
from bot.dialogue.engine import Engine
from bot.learning.team import TeamDesk
from bot.settings import Settings

log = logging.getLogger("oncobot.telegram")

STOP_GRACE = 12.0  # seconds updates in hand may take to finish after SIGTERM (the whole stop stays under 20 s)


async def serve(channel: TelegramChannel, settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT; then take nothing more, finish what is in hand, give the rest back."""
    # python-telegram-bot's own RetryAfter() reads the deprecated int form; retry_seconds reads the timedelta.
    warnings.filterwarnings("ignore", ".*`retry_after`", PTBDeprecationWarning, "telegram.error")
    application = channel.build(updater=False)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await application.initialize()
    await application.start()
    await channel._post_init(application)
    workers = [asyncio.create_task(channel.inbox.run()), asyncio.create_task(channel.deliveries.run())]
    fetcher: asyncio.Task[None] | None = None
    runner: web.AppRunner | None = None
    try:
        if settings.webhook_url:
            health = Health(channel)
            app = webhook_app(
                urlsplit(settings.webhook_url).path,
                settings.webhook_secret,
                channel.store,
                channel.inbox,
                health.routes(),
            )
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
            await application.bot.set_webhook(
                settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=list(ALL_UPDATES)
            )
        else:
            fetcher = asyncio.create_task(poll(application.bot, channel.store, channel.inbox, stopping))
        log.info("serving (%s)", "webhook" if settings.webhook_url else "polling")
        await stopping.wait()
    finally:
        log.info("stopping: no new updates, finishing those in hand")
        if fetcher is not None:
            fetcher.cancel()  # an unwritten batch was never confirmed: Telegram sends it again
            with contextlib.suppress(BaseException):
                await fetcher
        if runner is not None:
            await runner.cleanup()  # Telegram retries what it could not post, on this or another replica
        await channel.inbox.stop(STOP_GRACE)
        await channel.deliveries.stop(3.0)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        with contextlib.suppress(Exception):
            await application.stop()
            await application.shutdown()
        channel.store.close()


def run(engine: Engine, settings: Settings, team: TeamDesk | None = None) -> None:
    """Serve until SIGTERM or SIGINT: long polling by default, a webhook when WEBHOOK_URL is set."""
    asyncio.run(serve(TelegramChannel(engine, settings, team), settings))
