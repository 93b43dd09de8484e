"""Video in and out, optical flow, cuts, steadiness, and the resumable frame-by-frame driver.

Importing this package is cheap: PyAV, OpenCV and torch are imported by the functions
that need them, so the CLI can ask :func:`is_video` / :func:`check_video_output` at start-up.

Example::

    from genart.video import is_video, probe_video, read_frames, VideoWriter, render_video

    if is_video("clip.mp4"):
        info = probe_video("clip.mp4")             # size, fps, frames, rotation, audio...
        result = render_video("clip.mp4", "out.mp4", lambda ctx: 1.0 - ctx.source, size=256)

Modules:

``sniff``    is_video: container recognition from the first bytes
``probe``    probe_video -> VideoInfo, one-line VideoErrors
``decode``   read_frames: upright RGB frames with timestamps, frame selection
``outputs``  output kinds by extension, check_video_output
``writer``   VideoWriter: atomic encoding (H.264, VP9, GIF, PNG folder), timing kept
``audio``    carrying the sound over (copy or re-encode, trimmed)
``flow``     estimate_flow (DIS default, Farneback, RAFT), consistency_mask, warp
``raft``     torchvision RAFT as a flow method (optional weights)
``cuts``     CutDetector, detect_cuts
``metrics``  warping_error (Lai et al. 2018)
``work``     the work folder that makes renders resumable
``render``   render_video, FrameContext, VideoResult
"""
from __future__ import annotations

from .outputs import OUTPUT_KINDS, OutputKind, check_video_output, is_folder_output, output_kind
from .sniff import VIDEO_EXTENSIONS, is_video

_LAZY = {
    "VideoInfo": "probe",
    "probe_video": "probe",
    "Frame": "decode",
    "FrameSelection": "decode",
    "parse_frame_range": "params",
    "read_frames": "decode",
    "select_frames": "decode",
    "AudioClip": "audio",
    "VideoWriter": "writer",
    "FLOW_METHODS": "flow",
    "consistency_mask": "flow",
    "estimate_flow": "flow",
    "flow_pair": "flow",
    "warp": "flow",
    "RaftFlow": "raft",
    "CutDetector": "cuts",
    "detect_cuts": "cuts",
    "WarpingError": "metrics",
    "warping_error": "metrics",
    "WORK_SUFFIX": "work",
    "work_folder_for": "work",
    "FrameContext": "render",
    "LongTermWarp": "render",
    "VideoResult": "render",
    "render_video": "render",
}

__all__ = [
    "OUTPUT_KINDS",
    "OutputKind",
    "VIDEO_EXTENSIONS",
    "check_video_output",
    "is_folder_output",
    "is_video",
    "output_kind",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
