"""Where each record was defined, so cross-file checks can point at the right line."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile


@dataclass
class Origins:
    """Where each record was defined, so cross-file checks can point at the right line."""

    where: dict[tuple[str, str], tuple[YamlFile, Path_]] = field(default_factory=dict)
    config_file: YamlFile | None = None

    @property
    def config(self) -> YamlFile:
        assert self.config_file is not None, "content.yaml is read before any cross-check"
        return self.config_file

    def at(self, kind: str, id_: str) -> tuple[YamlFile, Path_]:
        return self.where[(kind, id_)]
