"""Contact sheets: layout of tables and grids, captions, entries from recorded settings."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from genart_outputs import COLOURS, solid, styled_folder, write_output

from genart.commands.sheet import (
    Entry,
    SheetConfig,
    contact_sheet,
    entries_from_files,
    entries_from_folder,
    save_sheet,
)
from genart.core.errors import ConfigError, GenartError, UsageError
from genart.imageio.records import scan_outputs
from genart.imageio import load_image, read_metadata


def box_of(sheet, colour) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the pixels of exactly ``colour`` on the sheet."""
    pixels = np.asarray(sheet)
    mask = np.all(pixels == np.array(colour, dtype=np.uint8), axis=2)
    assert mask.sum() > 100, f"{colour} is not on the sheet"
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_grid_places_every_picture_in_order():
    entries = [Entry(solid(COLOURS[i]), f"picture {i}") for i in range(5)]
    sheet = contact_sheet(entries, SheetConfig(cell=64))
    boxes = [box_of(sheet, COLOURS[i]) for i in range(5)]
    # about square: 3 columns, 2 rows, reading order
    assert centre(boxes[0])[1] == centre(boxes[1])[1] == centre(boxes[2])[1] < centre(boxes[3])[1]
    assert centre(boxes[0])[0] < centre(boxes[1])[0] < centre(boxes[2])[0]
    assert centre(boxes[3])[0] == centre(boxes[0])[0]
    width, height = boxes[0][2] - boxes[0][0] + 1, boxes[0][3] - boxes[0][1] + 1
    assert (width, height) == (64, 48)  # shrunk to the cell, aspect kept


def test_grid_columns_and_inputs_of_every_kind():
    tensor = torch.zeros(1, 3, 20, 20)
    tensor[:, 2] = 1.0  # blue
    float_array = np.asarray(solid(COLOURS[1]), dtype=np.float32) / 255.0
    sheet = contact_sheet([(tensor, "a"), (float_array, "b"), (solid(COLOURS[0]), "c")], SheetConfig(cell=32, columns=1))
    blue, green, red = box_of(sheet, (0, 0, 255)), box_of(sheet, COLOURS[1]), box_of(sheet, COLOURS[0])
    assert blue[1] < green[1] < red[1]
    assert centre(blue)[0] == centre(green)[0] == centre(red)[0]


def test_table_rows_are_inputs_columns_styles_input_first_styles_on_top():
    entries = [
        Entry(solid(COLOURS[0]), "cat.png", row="cat"),
        Entry(solid(COLOURS[1]), "dog.png", row="dog"),
        Entry(solid(COLOURS[2]), "starry", column="starry"),
        Entry(solid(COLOURS[3]), "scream", column="scream"),
    ]
    cells = {("cat", "starry"): 4, ("cat", "scream"): 5, ("dog", "starry"): 6, ("dog", "scream"): 7}
    entries += [Entry(solid(COLOURS[k]), f"{r}_{c}.png", r, c) for (r, c), k in cells.items()]
    sheet = contact_sheet(entries, SheetConfig(cell=64))
    at = {key: centre(box_of(sheet, COLOURS[k])) for key, k in cells.items()}
    cat, dog = centre(box_of(sheet, COLOURS[0])), centre(box_of(sheet, COLOURS[1]))
    starry, scream = centre(box_of(sheet, COLOURS[2])), centre(box_of(sheet, COLOURS[3]))
    assert cat[1] == at["cat", "starry"][1] == at["cat", "scream"][1] < dog[1] == at["dog", "starry"][1]
    assert cat[0] == dog[0] < at["cat", "starry"][0] == starry[0] < at["cat", "scream"][0] == scream[0]
    assert starry[1] == scream[1] < cat[1]
    head = box_of(sheet, COLOURS[2])
    assert head[2] - head[0] + 1 == 32  # style heads at half the cell


def test_captions_draw_text_and_can_be_turned_off():
    entries = [Entry(solid(COLOURS[i]), f"caption number {i}") for i in range(2)]
    with_text = np.asarray(contact_sheet(entries, SheetConfig(cell=64, background="#ffffff")))
    without = np.asarray(contact_sheet(entries, SheetConfig(cell=64, background="#ffffff", captions=False)))
    assert with_text.shape[0] > without.shape[0]
    pictures = {tuple(c) for c in COLOURS[:2]} | {(255, 255, 255)}
    text = [p for p in with_text.reshape(-1, 3) if tuple(p) not in pictures]
    assert len(text) > 100
    assert np.mean(text) < 160  # dark text on a light background
    assert not [p for p in without.reshape(-1, 3) if tuple(p) not in pictures]


def test_title_and_long_captions_fit():
    entries = [Entry(solid(COLOURS[0]), "x" * 500)]
    sheet = contact_sheet(entries, SheetConfig(cell=64, title="A title"))
    assert sheet.width < 200  # the caption was cut, not the sheet widened


def test_bad_requests_are_usage_errors():
    with pytest.raises(UsageError):
        contact_sheet([], SheetConfig())
    with pytest.raises(UsageError, match="table"):
        contact_sheet([Entry(solid(COLOURS[0]), "a")], SheetConfig(layout="table"))
    with pytest.raises(ConfigError, match="background"):
        SheetConfig(background="not-a-colour")


def test_entries_from_folder_read_the_recorded_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # inputs are recorded as given, relative to where genart ran
    made = styled_folder(tmp_path)
    entries = entries_from_folder(made["out"])
    cells = {(e.row, e.column): e for e in entries if e.row and e.column}
    assert set(cells) == set(made["cells"])
    assert {e.row for e in entries if e.column is None} == {"cat.png", "dog.png"}
    assert {e.column for e in entries if e.row is None} == {"starry", "scream"}
    assert all("step0010" not in e.caption and "notes" not in e.caption for e in entries)
    sheet = contact_sheet(entries, SheetConfig(cell=48))
    for (row, column), colour in made["cells"].items():
        assert box_of(sheet, colour)
    assert box_of(sheet, made["inputs"]["cat.png"]) and box_of(sheet, made["styles"]["starry.png"])


def test_outputs_told_apart_by_the_settings_that_differ(tmp_path):
    for k, layers in enumerate((["a"], ["b"])):
        for i, name in enumerate(("cat.png", "dog.png")):
            write_output(tmp_path / f"{name[:3]}_{k}.png", COLOURS[2 * k + i], "dream", input=name,
                         config={"layers": layers, "size": 40})
    entries = entries_from_folder(tmp_path)
    assert {e.column for e in entries} == {"layers=a", "layers=b"}
    assert {e.row for e in entries} == {"cat.png", "dog.png"}


def test_colliding_outputs_fall_back_to_a_grid(tmp_path):
    for k in range(3):  # same input, same settings: no table fits
        write_output(tmp_path / f"cat_{k}.png", COLOURS[k], "dream", input="cat.png")
    entries = entries_from_folder(tmp_path)
    assert len(entries) == 3 and all(e.row is None and e.column is None for e in entries)
    assert "cat_0.png" in entries[0].caption and "dream" in entries[0].caption


def test_entries_from_files_of_a_batch(tmp_path):
    made = [write_output(tmp_path / f"o{k}.png", COLOURS[k], "style", input="cat.png", style=f"s{k}.png") for k in range(2)]
    plain = tmp_path / "plain.png"
    from genart.imageio import save_image

    save_image(solid(COLOURS[5]), plain)
    entries = entries_from_files([*made, plain])
    assert [(e.row, e.column) for e in entries] == [("cat.png", "s0"), ("cat.png", "s1"), (None, None)]


def test_folder_without_outputs(tmp_path):
    with pytest.raises(GenartError, match="no images written by genart"):
        entries_from_folder(tmp_path)
    with pytest.raises(GenartError, match="not a folder"):
        entries_from_folder(tmp_path / "missing")


def test_save_sheet_is_skipped_by_later_scans(tmp_path):
    write_output(tmp_path / "a.png", COLOURS[0], "dream", input="a.png")
    sheet = contact_sheet(entries_from_folder(tmp_path), SheetConfig(cell=32))
    save_sheet(sheet, tmp_path / "sheet.png")
    assert read_metadata(tmp_path / "sheet.png") == {"command": "sheet"}
    assert load_image(tmp_path / "sheet.png").size == sheet.size
    records, others = scan_outputs(tmp_path)
    assert [r.path.name for r in records] == ["a.png"] and [p.name for p in others] == ["sheet.png"]
    assert not list(tmp_path.glob(".*"))  # written atomically: no temporary left
