"""The console channel: a user's chat (`oncobot chat`) and the coordinators' desk (`oncobot desk`) in terminals."""

from bot.channels.console.chat import ConsoleChannel
from bot.channels.console.desk import DeskConsole

__all__ = ["ConsoleChannel", "DeskConsole"]
