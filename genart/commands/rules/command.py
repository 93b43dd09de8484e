"""``genart rules NAME``: the five generators as commands (no numpy, shapely or skia here).

Each generator is a command of its own (``rules/lsystem`` ...), made from its entry in
:data:`genart.commands.rules.generators.GENERATORS`; ``genart.registry`` lists them. Jobs
are seeds: ``--count N`` makes N pictures with seeds ``--seed``, ``--seed + 1``, ...
"""
from __future__ import annotations

from typing import Any, Mapping

from ...core.command import IMAGE_FORMATS, Command, Inputs, Output
from ...core.session import Session
from .generators import GENERATORS, check_format

__all__ = ["ATTRACTOR", "FLOWFIELD", "LSYSTEM", "MONDRIAN", "RIDGELINES"]

EXAMPLES = {
    "lsystem": """genart rules lsystem --preset fern --seed 7 -o fern.svg
    genart rules lsystem --axiom F --rule 'F=F+F-F-F+F' --angle 90 --iterations 4 -o koch.svg""",
    "mondrian": """genart rules mondrian --seed 3 --size 2048 -o m.png
    genart rules mondrian --seed 3 --as-map -o m_sem.png    # a map for genart doodle
    genart rules mondrian --count 16 -o grid/""",
    "ridgelines": """genart rules ridgelines --seed 1 -o joy.svg
    genart rules ridgelines --data heights.csv -o data.svg""",
    "attractor": """genart rules attractor --preset clifford --points 1e8 -o chaos.png
    genart rules attractor --kind custom --formula-x 'sin(a*y) - cos(b*x)' --formula-y 'sin(c*x) - cos(d*y)' -o c.png""",
    "flowfield": """genart rules flowfield --seed 5 -o flow.svg
    genart rules flowfield --preset ocean --size 4096 -o ocean.png""",
}


def _check(session: Session, jobs: list) -> None:
    for job in jobs:  # an output that cannot hold a drawing fails before any work
        if job.output is not None:
            check_format(job.output, session.image_format)


def _command(name: str) -> Command:
    gen = GENERATORS[name]
    return Command(
        name=f"rules/{name}",
        config=gen.config,
        runner="genart.commands.rules.runner:RulesRunner",
        summary=gen.summary,
        help=f"{gen.summary}\n\n    \\b\n    {EXAMPLES[name]}\n    ",
        inputs=Inputs.SEEDS,
        output=Output(template="{stem}", formats=("svg", *IMAGE_FORMATS)),
        check=_check,
        compute=False,
    )


LSYSTEM = _command("lsystem")
MONDRIAN = _command("mondrian")
RIDGELINES = _command("ridgelines")
ATTRACTOR = _command("attractor")
FLOWFIELD = _command("flowfield")
