"""The static gallery: files written, data embedded, safe replacement; and in a real browser."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser import chromium
from genart_outputs import COLOURS, styled_folder, write_output

from genart.commands.gallery import GalleryConfig, write_gallery
from genart.core.errors import GenartError
from genart.imageio import load_image, read_metadata


def page_data(index: Path) -> dict:
    text = index.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="gallery-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = styled_folder(tmp_path)
    write_output(made["out"] / "dreams" / "cat_dream.png", COLOURS[8], "dream", input="cat.png",
                 argv=["dream", "cat.png", "--octaves", "3"], config={"octaves": 3, "layers": []})
    return made


def test_gallery_writes_thumbnails_copies_and_an_index_with_the_settings(made, tmp_path):
    result = write_gallery(made["out"], tmp_path / "gallery", GalleryConfig(thumb_size=20))
    gallery = tmp_path / "gallery"
    assert result.index == gallery / "index.html" and result.images == 5
    assert [p.name for p in result.others] == ["notes.png"]  # no record: left out
    items = page_data(result.index)["items"]
    assert sorted(i["name"] for i in items) == sorted(["cat_dream.png", "cat_scream.png", "cat_starry.png",
                                                       "dog_scream.png", "dog_starry.png"])
    for item in items:
        full, thumb = gallery / item["full"], gallery / item["thumb"]
        assert max(load_image(thumb).size) == 20
        source = made["out"] / item["path"]
        assert full.read_bytes() == source.read_bytes()  # copied as is, its record included
        assert item["command_line"].startswith("genart " + item["command"])
    style = next(i for i in items if i["name"] == "cat_starry.png")
    assert style["style"] == "starry" and style["preset"] == "fast" and style["input"] == "cat.png"
    assert style["command_line"] == "genart style cat.png -s starry.png --preset fast -o out/"
    assert style["config"] == {"size": 40, "layers": ["a", "b"]}
    dream = next(i for i in items if i["command"] == "dream")
    assert dream["differs"] == {} and dream["config"] == {"octaves": 3, "layers": []}  # the only dream
    assert read_metadata(gallery / dream["full"])["command"] == "dream"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_no_copy_links_to_the_originals(made, tmp_path):
    result = write_gallery(made["out"], tmp_path / "site" / "g", GalleryConfig(copy=False))
    assert not (tmp_path / "site" / "g" / "images").exists()
    for item in page_data(result.index)["items"]:
        assert (result.index.parent / item["full"]).resolve() == (made["out"] / item["path"]).resolve()


def test_a_gallery_inside_its_folder_is_replaced_and_never_shows_itself(made):
    inside = made["out"] / "gallery"
    first = write_gallery(made["out"], inside)
    (inside / "stale.txt").write_text("from the first build")
    second = write_gallery(made["out"], inside)
    assert first.images == second.images == 5
    assert not (inside / "stale.txt").exists()


def test_a_folder_that_is_not_a_gallery_is_never_overwritten(made, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    with pytest.raises(GenartError, match="not a genart gallery"):
        write_gallery(made["out"], precious)
    assert (precious / "thesis.txt").read_text() == "keep me"
    with pytest.raises(GenartError, match="cannot replace the folder it shows"):
        write_gallery(made["out"], made["out"])
    with pytest.raises(GenartError, match="no images written by genart"):
        write_gallery(precious, tmp_path / "g")


def test_an_interrupted_build_leaves_the_earlier_gallery(made, tmp_path, monkeypatch):
    gallery = tmp_path / "gallery"
    write_gallery(made["out"], gallery)
    before = (gallery / "index.html").read_text()
    import shutil

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "copyfile", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_gallery(made["out"], gallery, GalleryConfig(title="second"))
    assert (gallery / "index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_page_escapes_titles_and_embedded_text(made, tmp_path):
    title = "</script><script>alert(1)</script>"
    result = write_gallery(made["out"], tmp_path / "g", GalleryConfig(title=title))
    text = result.index.read_text()
    assert "<script>alert(1)" not in text
    assert page_data(result.index)["title"] == title
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text)  # nothing fetched from the web


def test_the_page_in_a_browser_shows_every_image_its_settings_and_filters(made, tmp_path):
    result = write_gallery(made["out"], tmp_path / "gallery")
    with chromium() as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(result.index.as_uri())
        page.wait_for_load_state("load")
        cards = page.locator(".card")
        assert cards.count() == 5
        loaded = page.evaluate("() => [...document.querySelectorAll('.card img')].map(i => i.complete && i.naturalWidth)")
        assert all(loaded), "every thumbnail is shown"
        assert page.inner_text("#count") == "5 images"
        folder = os.environ.get("GENART_SCREENSHOTS")
        if folder:
            page.screenshot(path=str(Path(folder) / "gallery.png"), full_page=True)

        page.locator(".card", has_text="cat_starry.png").click()
        assert page.is_visible("#viewer")
        assert page.inner_text("#viewer-cmd") == "genart style cat.png -s starry.png --preset fast -o out/"
        settings = page.inner_text("#viewer-settings")
        assert "size" in settings and "a, b" in settings
        assert page.evaluate("() => document.querySelector('#viewer-img').naturalWidth") == 40
        if folder:
            page.screenshot(path=str(Path(folder) / "gallery-viewer.png"))
        page.keyboard.press("Escape")
        assert not page.is_visible("#viewer")

        def shown() -> list[str]:
            return page.eval_on_selector_all(".card:not(.hidden) .name", "els => els.map(e => e.textContent)")

        page.click("[data-group=command] .chip[data-value=dream]")
        assert shown() == ["cat_dream.png"]
        page.click("[data-group=command] .chip[data-value='']")
        page.click("[data-group=style] .chip[data-value=scream]")
        assert sorted(shown()) == ["cat_scream.png", "dog_scream.png"]
        assert page.inner_text("#count") == "2 of 5"
        page.fill("#search", "dog")
        assert shown() == ["dog_scream.png"]
        page.fill("#search", "nothing like this")
        assert shown() == [] and page.is_visible("#empty")
        assert not errors
