"""Lets `python -m bot` behave exactly like the `oncobot` command."""

from bot.cli import main

raise SystemExit(main())
