"""The catalogue's kinds: every module of this package declares its own in `KINDS`; nothing else lists them."""

from __future__ import annotations

import importlib
import pkgutil

from bot.content.kinds.base import Kind, Registry

_SHARED = frozenset({"base"})  # modules that declare no kind


def registered() -> Registry:
    """Every kind the modules of this package declare, in reading order."""
    kinds: list[Kind] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _SHARED:
            kinds.extend(importlib.import_module(f"{__name__}.{module.name}").KINDS)
    return Registry(tuple(kinds))
