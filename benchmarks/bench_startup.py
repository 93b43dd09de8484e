"""CLI start-up time: `genart --help`, `genart classify --help`, `genart --version` against
a bare `python -c "import torch"`, in the same run.

    python benchmarks/bench_startup.py [--repeat 10]

Prints a markdown table of the median and best wall time of each command (fresh process
each time) and whether the process imported torch.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "genart --help": ["-m", "genart", "--help"],
    "genart classify --help": ["-m", "genart", "classify", "--help"],
    "genart style --help": ["-m", "genart", "style", "--help"],
    "genart --version": ["-m", "genart", "--version"],
    'python -c "import torch" (baseline)': ["-c", "import torch"],
    'python -c "pass" (interpreter alone)': ["-c", "pass"],
}


def time_once(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    args = parser.parse_args()
    print("| command | median s | best s |")
    print("|---|---:|---:|")
    for name, argv in CASES.items():
        time_once(argv)  # warm the file cache
        times = [time_once(argv) for _ in range(args.repeat)]
        print(f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} |")


if __name__ == "__main__":
    main()
