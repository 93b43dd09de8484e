"""``write_gallery``: a folder of genart outputs -> a static page with thumbnails and settings.

The gallery is built in a hidden temporary folder beside the destination and renamed
into place at the end, so an interrupted build leaves the previous gallery (or nothing)
behind, never half a page. The page embeds its data, CSS and JS: it opens from disk
(``file://``) with no server and no network.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.errors import GenartError, ImageError
from ...imageio.records import OutputRecord, differing_settings, scan_outputs
from .config import GalleryConfig

STATIC = Path(__file__).parent / "static"
THEME = Path(__file__).parents[2] / "web" / "static" / "theme.css"
GENERATOR = "genart gallery"  # the page's <meta name="generator">: marks a folder as ours
THUMB_QUALITY = 85
# Metadata keys shown in their own places; any others are listed as "recorded".
_KNOWN = {"genart", "command", "argv", "input", "variant", "config", "style", "preset"}


@dataclass(frozen=True)
class GalleryResult:
    """What :func:`write_gallery` wrote."""

    index: Path  # the page to open
    images: int  # images on the page
    others: list[Path] = field(default_factory=list)  # images without genart's record, left out
    warnings: list[str] = field(default_factory=list)  # outputs that could not be read


def write_gallery(
    src_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], config: GalleryConfig = GalleryConfig()
) -> GalleryResult:
    """Write ``out_dir/index.html`` showing every genart output in ``src_dir``.

    Args:
        src_dir: the folder of outputs (each carries its settings; see ``read_metadata``).
        out_dir: the gallery folder; created, or replaced if it holds an earlier gallery.
        config: thumbnails, copying, what to include (see :class:`GalleryConfig`).

    Raises:
        GenartError: ``src_dir`` holds no genart outputs, or ``out_dir`` exists and is not
            a gallery (it is never overwritten then).

    Example::

        result = write_gallery("styled/", "gallery/")
        print(f"{result.images} images: open {result.index}")
    """
    src, out = Path(src_dir), Path(out_dir)
    _check_destination(src, out)
    records, others = scan_outputs(src, recursive=config.recursive, intermediates=config.intermediates, exclude=[out])
    if not records:
        found = f" ({len(others)} other images)" if others else ""
        raise GenartError(f"{src}: no images written by genart{found}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        items, warnings = _write_images(records, src, tmp, out, config)
        title = config.title or src.resolve().name or "genart"
        _write_text(tmp / "index.html", render_page(title, items))
        _replace(tmp, out)
    except BaseException:  # Ctrl-C included: no half-built gallery is left behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return GalleryResult(out / "index.html", len(items), others, warnings)


def _check_destination(src: Path, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise GenartError(f"{out}: exists and is not a folder")
    if out.resolve() == src.resolve() or out.resolve() in src.resolve().parents:
        raise GenartError(f"{out}: the gallery cannot replace the folder it shows; choose another folder")
    if out.is_dir() and any(out.iterdir()) and not is_gallery(out):
        raise GenartError(f"{out}: exists and is not a genart gallery; choose a new or empty folder")


def is_gallery(folder: Path) -> bool:
    """True when ``folder`` holds a page this module wrote (safe to replace)."""
    try:
        head = (folder / "index.html").read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">' in head


def _write_images(
    records: list[OutputRecord], src: Path, tmp: Path, out: Path, config: GalleryConfig
) -> tuple[list[dict[str, Any]], list[str]]:
    from ...imageio import load_image, save_image, to_thumbnail

    (tmp / "thumbs").mkdir()
    if config.copy:
        (tmp / "images").mkdir()
    differs = differing_settings(records)
    items, warnings = [], []
    for number, record in enumerate(records):
        stem = f"{number:04d}-{record.path.stem}"
        try:
            loaded = load_image(record.path)
        except ImageError as exc:
            warnings.append(str(exc))
            continue
        thumb = to_thumbnail(loaded.rgb, config.thumb_size)
        thumb_name = f"thumbs/{stem}.{config.thumb_format}"
        save_image(thumb, tmp / thumb_name, quality=THUMB_QUALITY)
        if config.copy:
            full = f"images/{stem}{record.path.suffix.lower()}"
            shutil.copyfile(record.path, tmp / full)
        else:
            full = os.path.relpath(record.path.resolve(), out.resolve())
        item = describe(record, src, differs[record.path])
        item.update(
            id=len(items), full=_href(full), thumb=_href(thumb_name),
            width=loaded.size[0], height=loaded.size[1], thumb_width=thumb.shape[1], thumb_height=thumb.shape[0],
        )
        items.append(item)
    return items, warnings


def describe(record: OutputRecord, src: Path, differs: dict[str, Any]) -> dict[str, Any]:
    """What the page shows about one output: its names, command line and settings."""
    meta = record.metadata
    return {
        "name": record.path.name,
        "path": record.path.relative_to(src).as_posix(),
        "command": record.command,
        "preset": record.preset,
        "style": record.style,
        "styles": record.style_paths,
        "input": record.input,
        "command_line": record.command_line,
        "config": record.config,
        "differs": differs,
        "version": str(meta.get("genart") or ""),
        "recorded": {k: v for k, v in meta.items() if k not in _KNOWN},
    }


def _href(path: str) -> str:
    return urllib.parse.quote(Path(path).as_posix())


def render_page(title: str, items: list[dict[str, Any]]) -> str:
    """The self-contained index.html: template + CSS + JS + the items as JSON."""
    css = THEME.read_text(encoding="utf-8") + (STATIC / "gallery.css").read_text(encoding="utf-8")
    js = (STATIC / "gallery.js").read_text(encoding="utf-8")
    # No "<" inside the <script> element ("</script" would end it, "<!--" confuses the
    # parser): \u003c means the same to JSON.parse.
    data = json.dumps({"title": title, "items": items}, ensure_ascii=True, sort_keys=True).replace("<", "\\u003c")
    values = {"GENERATOR": GENERATOR, "TITLE": html.escape(title), "CSS": css, "JS": js, "DATA": data}
    template = (STATIC / "gallery.html").read_text(encoding="utf-8")
    # One pass, so a title that reads "{{DATA}}" stays text.
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda m: values[m.group(1)], template)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _replace(tmp: Path, out: Path) -> None:
    """Rename the finished gallery into place; an earlier one is removed only after."""
    if not out.exists():
        os.rename(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.rename(out, old / out.name)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
