"""Hostile content roots are refused with a path and a line: no hang, no traceback, no code run or file read outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.assistant import build_parts
from bot.content.files import MAX_FILE_BYTES
from bot.content.loader import load
from bot.content.problems import ContentError
from conftest import GOOD_INTENT as INTENT
from conftest import make_content_root

BILLION_LAUGHS = "version: 1\nintents: []\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 12)
)


def _errors(root: Path) -> list[str]:
    loaded = load(root)
    assert loaded.kb is None
    return [str(p) for p in loaded.errors]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            BILLION_LAUGHS, "intents/care.yaml:4: (file): malformed YAML: YAML anchors and aliases", id="bomb"
        ),
        pytest.param(
            INTENT.replace("    title: {en: Visa,", "    title: &t {en: Visa,") + "    source: *t\n",
            "intents/care.yaml:10: (file): malformed YAML: YAML anchors and aliases",
            id="one-alias",
        ),
        pytest.param(
            INTENT.replace("      en: [visa please", "      en: !!python/object/apply:os.system [visa please"),
            "intents/care.yaml:6: (file): malformed YAML: tag 'tag:yaml.org,2002:python/object/apply:os.system'",
            id="python-tag-on-a-list",
        ),
        pytest.param(
            INTENT.replace("    answer: {en:", "    answer: !!python/object/new:dict {en:"),
            "intents/care.yaml:9: (file): malformed YAML: tag 'tag:yaml.org,2002:python/object/new:dict'",
            id="python-tag-on-a-mapping",
        ),
        pytest.param(
            INTENT.replace("en: Ask the consulate.", "en: !!python/name:os.system ''"),
            "intents/care.yaml:9: (file): malformed YAML: tag 'tag:yaml.org,2002:python/name:os.system'",
            id="python-tag-on-text",
        ),
        pytest.param(
            INTENT.replace("    title: {en: Visa,", "    title: !custom {en: Visa,"),
            "intents/care.yaml:4: (file): malformed YAML: tag '!custom' is not allowed",
            id="custom-tag",
        ),
        pytest.param(
            "version: 1\nintents:\n  - <<: {id: x}\n",
            "intents/care.yaml:3: (file): malformed YAML: tag 'tag:yaml.org,2002:merge'",
            id="merge-key",
        ),
        pytest.param(
            "version: 1\nintents: " + "[" * 500 + "]" * 500 + "\n",
            "intents/care.yaml:2: (file): malformed YAML: nested more than 32 levels deep",
            id="deep-nesting",
        ),
        pytest.param(
            "version: 1\nintents: []\ncount: " + "7" * 5_000 + "\n",
            "intents/care.yaml:3: (file): malformed YAML: unreadable value",
            id="huge-number",
        ),
        pytest.param(
            "version: 1\nintents: []\n? [a, b]\n: c\n",
            "intents/care.yaml:3: (file): malformed YAML: a key must be plain text",
            id="list-as-key",
        ),
    ],
)
def test_hostile_yaml_is_refused_with_its_line(tmp_path: Path, content: str, expected: str) -> None:
    root = make_content_root(tmp_path / "kb")
    (root / "intents" / "care.yaml").write_text(content, encoding="utf-8")
    errors = _errors(root)
    assert any(e.startswith(expected) for e in errors), errors


def test_a_file_above_the_limit_is_refused_unread(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    big = root / "intents" / "big.yaml"
    big.write_text(INTENT + "#" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    assert f"intents/big.yaml:1: (file): file too large ({big.stat().st_size:,} bytes" in "\n".join(_errors(root))


def test_a_link_out_of_the_content_root_is_refused(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(INTENT, encoding="utf-8")
    (root / "intents" / "visa.yaml").symlink_to(outside)
    (root / "intents" / "care.yaml").rename(root / "care.yaml")
    (root / "intents" / "care.yaml").symlink_to(root / "care.yaml")  # a link that stays inside is followed
    errors = _errors(root)
    assert errors == ["intents/visa.yaml:1: (file): links to a file outside the content root (refused)"]


def test_a_folder_linked_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    (root / "catalogue").rename(tmp_path / "catalogue")
    (root / "catalogue").symlink_to(tmp_path / "catalogue", target_is_directory=True)
    errors = _errors(root)
    assert "catalogue/centres.yaml:1: (file): links to a file outside the content root (refused)" in errors


def test_a_fifo_is_refused_rather_than_read_forever(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    os.mkfifo(root / "intents" / "pipe.yaml")
    assert "intents/pipe.yaml:1: (file): not a regular file (refused)" in _errors(root)


def test_a_yml_file_is_reported_not_ignored(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    (root / "intents" / "visa.yml").write_text(INTENT, encoding="utf-8")
    (root / "catalogue" / "extra.YAML").write_text("version: 1\n", encoding="utf-8")
    errors = _errors(root)
    assert "intents/visa.yml:1: (file): not read: content files end in .yaml (rename it visa.yaml)" in errors
    assert "catalogue/extra.YAML:1: (file): not read: content files end in .yaml (rename it extra.yaml)" in errors


def test_a_broken_catalogue_stops_the_start_before_any_training(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    po = root / "locales" / "fr" / "LC_MESSAGES" / "oncobot.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "dangling"\n', encoding="utf-8")
    cache = tmp_path / "state"
    with pytest.raises(ContentError) as raised:
        build_parts(root, cache)
    assert any(str(p).startswith("locales/fr/LC_MESSAGES/oncobot.po:") for p in raised.value.problems)
    assert not cache.exists() or not any(cache.iterdir())  # nothing was trained, so nothing was cached


def test_a_catalogue_above_the_limit_or_linked_outside_is_refused(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    fr = root / "locales" / "fr" / "LC_MESSAGES" / "oncobot.po"
    fr.write_text(fr.read_text(encoding="utf-8") + "#" * MAX_FILE_BYTES, encoding="utf-8")
    ar = root / "locales" / "ar" / "LC_MESSAGES" / "oncobot.po"
    ar.rename(tmp_path / "ar.po")
    ar.symlink_to(tmp_path / "ar.po")
    with pytest.raises(ContentError) as raised:
        build_parts(root, None)
    rendered = [str(p) for p in raised.value.problems]
    assert any(r.startswith("locales/fr/LC_MESSAGES/oncobot.po:1: (file): file too large") for r in rendered)
    assert "locales/ar/LC_MESSAGES/oncobot.po:1: (file): links to a file outside the content root (refused)" in rendered


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_placeholder_one_language_lacks_is_an_error(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    _edit(root / "intents" / "care.yaml", "Téléphone : {phone}\\n", "")
    assert (
        "intents/care.yaml:35: intents[2].answer.fr: placeholder {phone} missing (the en, ar text uses it)"
        in _errors(root)
    )


def test_html_tags_in_answers_and_catalogue_texts_are_errors(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    _edit(root / "intents" / "basics.yaml", "en: Hello! I help", "en: <b>Hello!</b> I help")
    _edit(root / "intents" / "care.yaml", "ar: أي مركز تقصد؟", "ar: <a href='https://x.example'>أي مركز</a>")
    _edit(root / "catalogue" / "organisations.yaml", "description:\n      en: ", "description:\n      en: <i>x</i> ")
    errors = _errors(root)
    assert "intents/basics.yaml:10: intents[0].answer.en: HTML tag <b> in a text shown as written" in "\n".join(errors)
    assert "intents/care.yaml:41: intents[2].variants.ask.ar: HTML tag <a href='https://x.example'>" in "\n".join(
        errors
    )
    assert any(
        e.startswith("catalogue/organisations.yaml:7: organisations[0].description.en: HTML tag <i>") for e in errors
    )


def test_text_that_only_looks_like_markup_is_accepted(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    _edit(root / "intents" / "basics.yaml", "en: Hello! I help", "en: Hello! Tumours < 2 cm, a <3 and a>b, I help")
    _edit(root / "intents" / "basics.yaml", "en: [hello,", "en: [<b>hello</b>,")  # what people type is not shown
    assert load(root).errors == []


def test_an_html_tag_in_a_translation_stops_the_start(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    po = root / "locales" / "fr" / "LC_MESSAGES" / "oncobot.po"
    _edit(po, 'msgstr "Patients et familles"', 'msgstr "<b>Patients</b> et familles"')
    with pytest.raises(ContentError) as raised:
        build_parts(root, None)
    assert any(
        str(p).startswith("locales/fr/LC_MESSAGES/oncobot.po:")
        and ": msgstr: HTML tag <b> in the translation" in str(p)
        for p in raised.value.problems
    ), raised.value.problems
