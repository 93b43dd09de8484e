"""Rules output: deterministic SVG with real paths, paper sizes, layers, metadata; PNG; stdout."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from genart.commands.rules.drawing import Drawing, Layer, Paths
from genart.commands.rules.order import plot_order, travel
from genart.commands.rules.raster import to_raster
from genart.commands.rules.generators import GENERATORS, OutputOptions, config_class, render, write
from genart.commands.rules.svg import svg_metadata, to_svg
from genart.core.errors import UsageError
from genart.imageio import load_image, read_metadata

SVG = "{http://www.w3.org/2000/svg}"
INK = "{http://www.inkscape.org/namespaces/inkscape}"
# Small, quick settings per generator (the defaults are tested in the art checks).
QUICK = {
    "lsystem": dict(iterations=3),
    "mondrian": {},
    "ridgelines": dict(rows=12, samples=60),
    "attractor": dict(points=50_000, size=64, supersample=1),
    "flowfield": dict(lines=120, steps=30),
}


def quick(name: str, seed: int):
    return render(name, config_class(name)(**QUICK[name]), seed=seed)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_svg_bytes_other_seed_other_art(name):
    a = to_svg(quick(name, 1), metadata={"seed": 1})
    b = to_svg(quick(name, 1), metadata={"seed": 1})
    c = to_svg(quick(name, 2), metadata={"seed": 1})
    assert a == b
    assert a != c


def test_svg_has_real_paths_on_paper_with_layers_and_metadata():
    d = render("flowfield", config_class("flowfield")(**QUICK["flowfield"]))
    meta = {"command": "rules flowfield", "seed": 0, "note": "<&>"}
    data = to_svg(d, paper="a3", margin=10, metadata=meta)
    root = ET.fromstring(data)
    assert root.get("width") == "297mm" and root.get("height") == "420mm"  # portrait art, portrait page
    assert root.get("viewBox") == "0 0 29700 42000"
    layers = [g for g in root.findall(f"{SVG}g") if g.get(f"{INK}groupmode") == "layer"]
    assert layers[0].get("id") == "background" and layers[0][0].get("fill") == d.background
    assert {g.get("stroke") for g in layers[1:]} == {layer.color for layer in d.layers}
    paths = root.findall(f".//{SVG}path")
    assert len(paths) >= 1 and all(p.get("d").startswith("M") for p in paths)
    assert svg_metadata(data) == meta
    # everything drawn stays inside the margin
    for p in paths:
        nums = [int(v) for v in p.get("d").replace("M", " ").replace("l", " ").split()]
        x, y = np.cumsum(nums[0::2]), np.cumsum(nums[1::2])
        assert x.min() >= 1000 - 1 and x.max() <= 29700 - 1000 + 1
        assert y.min() >= 1000 - 1 and y.max() <= 42000 - 1000 + 1


def test_svg_paths_reproduce_the_drawing():
    pts = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 5.0]])
    d = Drawing(10.0, 5.0, layers=(Layer("#000000", 0.1, Paths.from_list([pts])),))
    root = ET.fromstring(to_svg(d, paper="none", size=1000, optimize=False, layers=False))
    assert root.get("width") == "1000px" and root.get("height") == "500px"
    (path,) = root.findall(f".//{SVG}path")
    assert path.get("d") == "M0 0l100000 0 0 50000"  # hundredths of a px, relative steps
    assert not [g for g in root.iter() if g.get(f"{INK}groupmode")]


def test_landscape_art_gets_a_landscape_page():
    d = Drawing(200.0, 100.0)
    root = ET.fromstring(to_svg(d, paper="letter"))
    assert root.get("width") == "279.4mm" and root.get("height") == "215.9mm"
    with pytest.raises(UsageError, match="paper"):
        to_svg(d, paper="b5")


def test_plot_order_shortens_travel_and_keeps_every_segment():
    rng = np.random.default_rng(0)
    segs = [rng.uniform(0, 100, (2, 2)) for _ in range(400)]
    paths = Paths.from_list(segs)
    ordered = plot_order(paths)
    assert travel(ordered) < 0.3 * travel(paths)
    key = lambda p: tuple(sorted(map(tuple, np.round(p, 9))))  # noqa: E731
    assert sorted(map(key, paths)) == sorted(map(key, ordered))
    chain = Paths.from_list([np.array([[0.0, 0], [1, 0]]), np.array([[2.0, 0], [1, 0]]), np.array([[2.0, 0], [3, 0]])])
    merged = plot_order(chain, tolerance=1e-9)
    assert len(merged) == 1 and np.allclose(merged[0][:, 0], [0, 1, 2, 3])  # reversed and joined


def test_raster_is_antialiased_unless_asked_not_to():
    pts = np.array([[1.0, 1.0], [9.0, 8.3]])
    d = Drawing(10.0, 10.0, layers=(Layer("#000000", 0.5, Paths.from_list([pts])),))
    soft = to_raster(d, 200)
    hard = to_raster(dataclasses.replace(d, antialias=False), 200)
    assert len(np.unique(soft.reshape(-1, 3), axis=0)) > 10
    assert len(np.unique(hard.reshape(-1, 3), axis=0)) == 2
    assert to_raster(d, 333).shape == (333, 333, 3)


def test_write_png_svg_and_stdout(tmp_path, capsysbinary):
    d = quick("mondrian", 3)
    meta = {"command": "rules mondrian", "seed": 3}
    write(d, tmp_path / "m.png", metadata=meta, options=OutputOptions(size=300))
    assert load_image(tmp_path / "m.png").size == (300, 300)
    assert read_metadata(tmp_path / "m.png") == meta
    write(d, tmp_path / "m.svg", metadata=meta)
    assert svg_metadata((tmp_path / "m.svg").read_bytes()) == meta
    assert not list(tmp_path.glob(".*.part"))
    write(d, "-", metadata=meta)
    out = capsysbinary.readouterr().out
    assert out.startswith(b"<svg") and svg_metadata(out) == meta
    write(d, "-", fmt="png")
    assert capsysbinary.readouterr().out.startswith(b"\x89PNG")


def test_config_modules_are_cheap_to_import():
    code = (
        "import sys, genart.commands.rules.generators as r; r.config_class('attractor');"
        "print(sorted(m for m in ('numpy', 'shapely', 'skia', 'scipy', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_generator_suggests():
    with pytest.raises(UsageError, match="did you mean 'mondrian'"):
        config_class("mondrain")
    with pytest.raises(UsageError, match="expected a LsystemConfig"):
        render("lsystem", config_class("mondrian")())


def test_raster_batches_keep_every_segment_in_short_pieces():
    from genart.commands.rules.raster import batches

    rng = np.random.default_rng(0)
    paths = Paths.from_list([rng.random((n, 2)) for n in (2, 5, 300, 7, 411, 128, 129)])

    def segments(ps):
        return {(tuple(a), tuple(b)) for p in ps for a, b in zip(p[:-1], p[1:])}

    out = batches(paths, 128)
    assert set().union(*(segments(b) for b in out)) == segments(paths)
    assert max(len(p) for b in out for p in b) <= 128
    assert all(len(b.points) <= 2 * 128 for b in out)
