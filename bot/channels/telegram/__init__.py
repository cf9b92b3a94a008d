"""The Telegram channel: the only package that imports python-telegram-bot."""

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.service import run

__all__ = ["TelegramChannel", "run"]
