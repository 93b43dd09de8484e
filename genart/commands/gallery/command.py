"""``genart gallery``: a static web page of a folder of genart outputs (no torch here)."""
from __future__ import annotations

from typing import Any, Mapping

from ...core.command import Command, Inputs, Output
from ...core.session import Session
from ..sheet.command import one_folder
from .config import GalleryConfig

__all__ = ["COMMAND"]


def _session(base: Session, options: Mapping[str, Any]) -> Session:
    # A gallery is a view of its folder: running again refreshes it. write_gallery replaces
    # only an earlier gallery, never another folder.
    return Session(**{**base.shared(), "overwrite": True})


COMMAND = Command(
    name="gallery",
    config=GalleryConfig,
    runner="genart.commands.gallery.runner:GalleryRunner",
    summary="A static web page of a folder of genart outputs.",
    help="""Write a web page of DIR's genart outputs: thumbnails, full images on click, each with
    its command line and settings, filterable by command, preset and style. It opens from
    disk (no server) and can be shared as a folder; running again refreshes it.

    \b
    genart gallery styled/ -o gallery/
    genart gallery renders/ --no-copy --thumb-size 320 -o renders_gallery/
    """,
    inputs=Inputs.CUSTOM,
    input_metavar="DIR",
    output=Output(template="{stem}_gallery", stdout=False, folder=True),
    items=one_folder,
    compute=False,
    batch=False,
    session=_session,
    api={"write_gallery": "genart.commands.gallery.build:write_gallery",
         "GalleryConfig": "genart.commands.gallery.config:GalleryConfig"},
)
