"""YAML → typed records; every problem reported as `path:line: field: message`, all of them, not only the first."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.context_rules import read_context_rules
from bot.content.files import CONTENT_SUFFIX, FileRefused, read_bounded, yaml_files
from bot.content.markup import html_tag
from bot.content.problems import ContentError, Path_, Problem
from bot.content.schema import (
    KIND_PLACEHOLDERS,
    MENU_IDS,
    OPTIONAL_VARIANTS,
    CancerType,
    CatalogueItem,
    Centre,
    City,
    ContentConfig,
    Coordinates,
    Expertise,
    Intent,
    KnowledgeBase,
    LanguageAliases,
    Organisation,
    Region,
    Specialty,
)
from bot.content.yamlfile import Sink, YamlFile

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")


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


@dataclass
class Loaded:
    """The outcome of loading a content root: records when usable, and every problem found."""

    kb: KnowledgeBase | None
    problems: list[Problem]
    origins: Origins

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def packaged_root() -> Path:
    """The content shipped with the package (installed), or the repository it runs from (development)."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_content"
    return installed if (installed / "content.yaml").exists() else here.parent


def _config(root: Path, sink: Sink, origins: Origins) -> ContentConfig | None:
    doc = YamlFile.read(root / "content.yaml", "content.yaml", sink, root)
    if doc is None:
        return None
    origins.config_file = doc
    doc.known_keys(doc.data, (), {"version", "languages", "default_language", "min_examples", "menus", "context"})
    languages = doc.texts(doc.data, "languages", (), required=True)
    for i, lang in enumerate(languages):
        if not _LANG.match(lang):
            doc.error(("languages", i), f"'{lang}' is not a language code")
    if len(set(languages)) != len(languages):
        doc.error(("languages",), "a language is listed twice")
    default = doc.text(doc.data, "default_language", ())
    if default and default not in languages:
        doc.error(("default_language",), f"'{default}' is not among the declared languages")
    minimum = doc.data.get("min_examples", 1)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        doc.error(("min_examples",), "expected a whole number ≥ 1")
        minimum = 1
    menus: dict[str, tuple[str, ...]] = {}
    raw_menus = doc.data.get("menus", {})
    if not isinstance(raw_menus, dict):
        doc.error(("menus",), "expected a mapping of menu ids to intent ids")
        raw_menus = {}
    for name in raw_menus:
        if name not in MENU_IDS:
            doc.error(("menus", name), f"unknown menu (expected one of: {', '.join(MENU_IDS)})")
        else:
            menus[name] = doc.texts(raw_menus, name, ("menus",), required=True)
    if not languages or default is None:
        return None
    return ContentConfig(languages, default, minimum, menus, read_context_rules(doc))


def _id(
    doc: YamlFile, item: dict[str, Any], path: Path_, kind: str, seen: dict[str, Any], origins: Origins
) -> str | None:
    value = doc.text(item, "id", path)
    if value is None:
        return None
    if not _ID.match(value):
        doc.error((*path, "id"), f"'{value}' is not a valid id (lower case letters, digits, - and _)")
        return None
    if value in seen:
        first, first_path = origins.at(kind, value)
        doc.error((*path, "id"), f"duplicate {kind} id '{value}' (first at {first.rel}:{first.line(first_path)})")
        return None
    origins.where[(kind, value)] = (doc, path)
    return value


def _coordinates(doc: YamlFile, item: dict[str, Any], path: Path_) -> Coordinates | None:
    value = item.get("coordinates")
    if value is None:
        return None
    here = (*path, "coordinates")
    if not isinstance(value, dict):
        doc.error(here, "expected {lat, lon, precision}")
        return None
    doc.known_keys(value, here, {"lat", "lon", "precision"})
    lat, lon = doc.number(value, "lat", here), doc.number(value, "lon", here)
    precision = doc.text(value, "precision", here)
    if precision not in (None, "site", "city"):
        doc.error((*here, "precision"), "expected 'site' or 'city'")
        return None
    if lat is None or lon is None or precision is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        doc.error(here, "latitude or longitude out of range")
        return None
    return Coordinates(lat, lon, precision)


def _sources(doc: YamlFile, item: dict[str, Any], path: Path_) -> tuple[str, ...]:
    sources = doc.texts(item, "source", path)
    for i, src in enumerate(sources):
        if not src.startswith(("https://", "http://")):
            doc.error(
                (*path, "source", i) if isinstance(item.get("source"), list) else (*path, "source"),
                f"'{src}' is not a web address",
            )
    return sources


def _expertise(doc: YamlFile, item: dict[str, Any], path: Path_) -> tuple[Expertise, ...]:
    """A centre's recognised areas, each with the page that states it: an area without a source is refused."""
    value = item.get("expertise")
    if value is None:
        return ()
    if not isinstance(value, list):
        doc.error((*path, "expertise"), "expected a list of {specialty, source}")
        return ()
    out = []
    for i, entry in enumerate(value):
        here = (*path, "expertise", i)
        if not isinstance(entry, dict):
            doc.error(here, "expected {specialty, source}")
            continue
        doc.known_keys(entry, here, {"specialty", "source"})
        specialty = doc.text(entry, "specialty", here)
        sources = _sources(doc, entry, here)
        if not sources:
            doc.error((*here, "source"), "an area of expertise needs the address of a page that states it")
        if specialty:
            out.append(Expertise(specialty, sources))
    return tuple(out)


def _local_name(doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...]) -> dict[str, str]:
    """A centre's name in some languages' own scripts (Arabic, Chinese); any declared language may be left out."""
    value = item.get("local_name")
    if value is None:
        return {}
    if not isinstance(value, dict):
        doc.error((*path, "local_name"), "expected a mapping of language to name")
        return {}
    out = {}
    for lang, name in value.items():
        if lang not in langs:
            doc.error((*path, "local_name", lang), f"'{lang}' is not a declared language")
        elif not isinstance(name, str) or not name.strip():
            doc.error((*path, "local_name", lang), "expected a name")
        else:
            out[str(lang)] = name.strip()
    return out


def _url(doc: YamlFile, item: dict[str, Any], key: str, path: Path_) -> str | None:
    value = doc.text(item, key, path, required=False)
    if value is not None and not value.startswith(("https://", "http://")):
        doc.error((*path, key), f"'{value}' is not a web address")
        return None
    return value


def _intent(
    doc: YamlFile,
    item: dict[str, Any],
    path: Path_,
    langs: tuple[str, ...],
    seen: dict[str, Intent],
    origins: Origins,
) -> Intent | None:
    doc.known_keys(
        item,
        path,
        {"id", "title", "examples", "answer", "variants", "kind", "follow_ups", "offers_handoff", "source"},
    )
    id_ = _id(doc, item, path, "intent", seen, origins)
    title = doc.per_language(item, "title", path, langs)
    answer = doc.per_language(item, "answer", path, langs)
    examples: dict[str, tuple[str, ...]] = {}
    raw = item.get("examples")
    if not isinstance(raw, dict):
        doc.error(
            (*path, "examples") if "examples" in item else path,
            "expected examples per language" if "examples" in item else "missing 'examples'",
        )
    else:
        for lang in raw:
            if lang not in langs:
                doc.error((*path, "examples", lang), f"unknown language '{lang}' (declared: {', '.join(langs)})")
        for lang in langs:
            if lang not in raw:
                doc.error((*path, "examples"), f"missing language '{lang}'")
                continue
            examples[lang] = doc.texts(raw, lang, (*path, "examples"), required=True)
    kind = doc.text(item, "kind", path, required=False)
    variants: dict[str, dict[str, str]] = {}
    if kind is not None and kind not in KIND_PLACEHOLDERS:
        doc.error(
            (*path, "kind"),
            f"unknown kind '{kind}' (expected one of: {', '.join(sorted(KIND_PLACEHOLDERS))})",
        )
        kind = None
    raw_variants = item.get("variants", {})
    if not isinstance(raw_variants, dict):
        doc.error((*path, "variants"), "expected a mapping of variant names")
        raw_variants = {}
    expected = set(KIND_PLACEHOLDERS[kind]) - {"answer"} if kind else set()
    for name in raw_variants:
        if name not in expected:
            doc.error(
                (*path, "variants", name),
                f"unknown variant for kind {kind or '(none)'}"
                + (f" (expected: {', '.join(sorted(expected))})" if expected else ""),
            )
        else:
            variants[name] = doc.per_language(raw_variants, name, (*path, "variants"), langs)
    for name in sorted(expected - set(raw_variants) - OPTIONAL_VARIANTS):
        doc.error((*path, "variants"), f"missing variant '{name}' required by kind {kind}")
    if kind:
        _check_placeholders(doc, path, kind, answer, variants)
    else:
        for lang, text in answer.items():
            if re.search(r"\{[a-z_]+\}", text):
                doc.error((*path, "answer", lang), "placeholders need a 'kind' that fills them")
    follow_ups = doc.texts(item, "follow_ups", path)
    offers = doc.flag(item, "offers_handoff", path)
    source = _sources(doc, item, path)
    if id_ is None or len(title) != len(langs) or len(answer) != len(langs) or len(examples) != len(langs):
        return None
    return Intent(id_, title, examples, answer, variants, kind, follow_ups, offers, source)


def _check_placeholders(
    doc: YamlFile, path: Path_, kind: str, answer: dict[str, str], variants: dict[str, dict[str, str]]
) -> None:
    allowed = KIND_PLACEHOLDERS[kind]
    for name, texts in [("answer", answer), *variants.items()]:
        where = (*path, "answer") if name == "answer" else (*path, "variants", name)
        used: dict[str, set[str]] = {}
        for lang, text in texts.items():
            used[lang] = set(re.findall(r"\{([^{}]*)\}", text))
            for found in sorted(used[lang]):
                if found not in allowed[name]:
                    known = ", ".join("{" + p + "}" for p in sorted(allowed[name])) or "none"
                    doc.error((*where, lang), f"unknown placeholder {{{found}}} (this text may use: {known})")
        # One language without {phone} would leave its readers without the number the others get.
        for lang, own in used.items():
            for missing in sorted(set().union(*used.values()) - own):
                others = ", ".join(other for other, theirs in used.items() if missing in theirs)
                doc.error((*where, lang), f"placeholder {{{missing}}} missing (the {others} text uses it)")


def _no_markup(doc: YamlFile, value: Any, path: Path_ = ()) -> None:
    """Texts are shown as written: an HTML tag in one would reach users as literal tags."""
    if isinstance(value, str):
        tag = html_tag(value)
        if tag is not None:
            doc.error(path, f"HTML tag {tag} in a text shown as written (answers are plain text)")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "examples":  # what people type, not what they are shown
                _no_markup(doc, item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_markup(doc, item, (*path, i))


def _load_intents(root: Path, langs: tuple[str, ...], sink: Sink, origins: Origins) -> dict[str, Intent]:
    intents: dict[str, Intent] = {}
    files = content_files(root, "intents", sink)
    if not files:
        sink.add("intents", 1, (), "no intent files (intents/*.yaml)")
    for path in files:
        doc = YamlFile.read(path, f"intents/{path.name}", sink, root)
        if doc is None:
            continue
        _no_markup(doc, doc.data)
        doc.known_keys(doc.data, (), {"version", "intents"})
        for where, item in doc.entries("intents"):
            intent = _intent(doc, item, where, langs, intents, origins)
            if intent is not None:
                intents[intent.id] = intent
    return intents


def _named(doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...]) -> dict[str, str]:
    return doc.per_language(item, "name", path, langs)


def _load_catalogue(root: Path, config: ContentConfig, sink: Sink, origins: Origins) -> dict[str, dict[str, Any]]:
    langs = config.languages
    out: dict[str, dict[str, Any]] = {
        k: {}
        for k in (
            "centres",
            "regions",
            "cities",
            "organisations",
            "specialties",
            "training",
            "quality",
            "solutions",
            "languages",
            "cancer_types",
        )
    }
    files = {
        "centres.yaml": ("centres",),
        "places.yaml": ("regions", "cities"),
        "organisations.yaml": ("organisations",),
        "specialties.yaml": ("specialties",),
        "training.yaml": ("training",),
        "quality.yaml": ("quality",),
        "solutions.yaml": ("solutions",),
        "languages.yaml": ("languages",),
        "cancer_types.yaml": ("cancer_types",),
    }
    optional = {"cancer_types.yaml"}  # a content root without cancer types answers by place only
    present = {p.name: p for p in content_files(root, "catalogue", sink)}
    for name in present:
        if name not in files:
            sink.add(f"catalogue/{name}", 1, (), f"unknown catalogue file (expected: {', '.join(sorted(files))})")
    for name, keys in files.items():
        if name not in present:
            if name not in optional:
                sink.add(f"catalogue/{name}", 1, (), "missing catalogue file")
            continue
        doc = YamlFile.read(present[name], f"catalogue/{name}", sink, root)
        if doc is None:
            continue
        _no_markup(doc, doc.data)
        doc.known_keys(doc.data, (), {"version", *keys})
        for key in keys:
            for path, item in doc.entries(key):
                record = _catalogue_entry(doc, key, item, path, langs, out[key], origins)
                if record is not None:
                    out[key][record.id] = record
    return out


def _catalogue_entry(
    doc: YamlFile,
    key: str,
    item: dict[str, Any],
    path: Path_,
    langs: tuple[str, ...],
    seen: dict[str, Any],
    origins: Origins,
) -> Any:
    kind = key.rstrip("s") if key not in ("cities", "specialties", "training", "quality") else key
    id_ = _id(doc, item, path, kind, seen, origins)
    if key == "centres":
        doc.known_keys(
            item,
            path,
            {
                "id",
                "name",
                "network",
                "aliases",
                "city",
                "other_cities",
                "address",
                "phone",
                "website",
                "international_page",
                "coordinates",
                "specialties",
                "expertise",
                "local_name",
                "source",
            },
        )
        name = doc.text(item, "name", path)
        network = doc.text(item, "network", path)
        if network not in (None, "unicancer", "other"):
            doc.error((*path, "network"), "expected 'unicancer' or 'other'")
        city = doc.text(item, "city", path)
        centre = Centre(
            id=id_ or "",
            name=name or "",
            network=network or "other",
            aliases=doc.texts(item, "aliases", path),
            city=city or "",
            other_cities=doc.texts(item, "other_cities", path),
            address=doc.text(item, "address", path, required=False),
            phone=doc.text(item, "phone", path, required=False),
            website=_url(doc, item, "website", path),
            international_page=_url(doc, item, "international_page", path),
            coordinates=_coordinates(doc, item, path),
            specialties=doc.texts(item, "specialties", path),
            source=_sources(doc, item, path),
            expertise=_expertise(doc, item, path),
            local_name=_local_name(doc, item, path, langs),
        )
        return centre if id_ and name and city else None
    if key == "cancer_types":
        doc.known_keys(item, path, {"id", "name", "aliases"})
        type_name = _named(doc, item, path, langs)
        return CancerType(id_, type_name, doc.texts(item, "aliases", path)) if id_ and type_name else None
    if key == "regions":
        doc.known_keys(item, path, {"id", "name", "aliases"})
        region_name = _named(doc, item, path, langs)
        return Region(id_, region_name, doc.texts(item, "aliases", path)) if id_ and region_name else None
    if key == "cities":
        doc.known_keys(item, path, {"id", "name", "aliases", "region", "coordinates", "source", "unmatched_names"})
        city_name = _named(doc, item, path, langs)
        region = doc.text(item, "region", path)
        coords = _coordinates(doc, item, path)
        unmatched = doc.texts(item, "unmatched_names", path)
        for i, name in enumerate(unmatched):
            if name not in city_name.values():
                doc.error((*path, "unmatched_names", i), f"'{name}' is not one of the city's names")
        if id_ and city_name and region:
            return City(
                id_,
                city_name,
                doc.texts(item, "aliases", path),
                region,
                coords,
                _sources(doc, item, path),
                unmatched,
            )
        return None
    if key == "organisations":
        doc.known_keys(item, path, {"id", "name", "aliases", "description", "website", "source"})
        org_name = doc.text(item, "name", path)
        description = doc.per_language(item, "description", path, langs)
        org = Organisation(
            id_ or "",
            org_name or "",
            doc.texts(item, "aliases", path),
            description,
            _url(doc, item, "website", path),
            _sources(doc, item, path),
        )
        return org if id_ and org_name and description else None
    if key == "specialties":
        doc.known_keys(item, path, {"id", "name", "cancer_types"})
        spec_name = _named(doc, item, path, langs)
        types = doc.texts(item, "cancer_types", path)
        return Specialty(id_, spec_name, types) if id_ and spec_name else None
    if key == "languages":
        doc.known_keys(item, path, {"id", "aliases"})
        return LanguageAliases(id_, doc.texts(item, "aliases", path)) if id_ else None
    # training, quality, solutions share one shape.
    allowed = {"id", "name", "description", "source", "website", "unverified"}
    allowed |= {"provider"} if key == "training" else {"intent"} if key == "solutions" else set()
    doc.known_keys(item, path, allowed)
    names: dict[str, str]
    if key == "training" and isinstance(item.get("name"), str):
        names = {lang: str(item["name"]) for lang in langs}
    else:
        names = _named(doc, item, path, langs)
    description = doc.per_language(item, "description", path, langs)
    record = CatalogueItem(
        id=id_ or "",
        name=names,
        description=description,
        source=_sources(doc, item, path),
        website=_url(doc, item, "website", path),
        provider=doc.text(item, "provider", path, required=False),
        intent=doc.text(item, "intent", path, required=key == "solutions"),
        unverified=doc.flag(item, "unverified", path),
    )
    return record if id_ and names and description else None


def content_files(root: Path, folder: str, sink: Sink) -> list[Path]:
    """The `.yaml` files of one content folder; a `.yml` one is reported rather than ignored in silence."""
    read, misnamed = yaml_files(root / folder)
    for path in misnamed:
        sink.add(f"{folder}/{path.name}", 1, (), f"not read: content files end in .yaml (rename it {path.stem}.yaml)")
    return read


def content_fingerprint(root: Path) -> str:
    """A hash of every content file (and of every name in the content folders), to know when to rebuild."""
    digest = hashlib.sha256()
    paths = [root / "content.yaml"]
    for folder in ("intents", "catalogue"):
        if (root / folder).is_dir():
            paths += sorted((root / folder).iterdir())
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(read_bounded(path, root) if path.suffix == CONTENT_SUFFIX else b"")
        except FileRefused as exc:  # loading reports it; the hash only has to differ from a good file's
            digest.update(f"refused: {exc}".encode())
    return digest.hexdigest()[:16]


def load(root: Path, *, near_duplicates: bool = True, safety: bool = True) -> Loaded:
    """Read and validate a whole content root; never stops at the first problem."""
    from bot.content.checks import cross_checks

    sink = Sink()
    origins = Origins()
    if not (root / "content.yaml").exists():
        sink.add("content.yaml", 1, (), f"not a content root: no content.yaml in {root.name or root}")
        return Loaded(None, sink.problems, origins)
    config = _config(root, sink, origins)
    if config is None:
        return Loaded(None, sink.problems, origins)
    intents = _load_intents(root, config.languages, sink, origins)
    cat = _load_catalogue(root, config, sink, origins)
    kb = KnowledgeBase(
        root=root,
        config=config,
        intents=intents,
        centres=cat["centres"],
        regions=cat["regions"],
        cities=cat["cities"],
        organisations=cat["organisations"],
        specialties=cat["specialties"],
        training=cat["training"],
        quality=cat["quality"],
        solutions=cat["solutions"],
        language_aliases=cat["languages"],
        cancer_types=cat["cancer_types"],
    )
    cross_checks(kb, origins, sink, near_duplicates=near_duplicates, safety=safety)
    return Loaded(None if sink.errors else kb, sink.problems, origins)


def load_or_raise(root: Path, *, strict: bool = False) -> KnowledgeBase:
    """Load for running: any error (or warning, when strict) stops the start with every problem listed.

    Content without the safety intents (checks.SAFETY_INTENTS) in every language is refused, at start as by check.
    """
    loaded = load(root, near_duplicates=strict)
    blocking = loaded.problems if strict else loaded.errors
    if blocking or loaded.kb is None:
        raise ContentError(blocking or loaded.problems)
    return loaded.kb
