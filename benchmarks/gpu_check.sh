#!/usr/bin/env bash
# genart on a machine with a CUDA GPU, in one command: the test suite, then the timings of
# style, dream, doodle and classify at 512 and 1024 px (fp32, bf16, channels-last,
# compiled) and their check against CPU runs. Run from anywhere; extra arguments go to
# benchmarks/gpu_check.py (e.g. --quick, --sizes 512, --variants fp32,bf16-cl).
#
#   bash benchmarks/gpu_check.sh                 # everything
#   bash benchmarks/gpu_check.sh --quick         # 512 px, three variants (a short slot)
#   SKIP_TESTS=1 bash benchmarks/gpu_check.sh    # timings and checks only
#
# The report (markdown, for docs/PERFORMANCE.md) and the test log are written under
# benchmarks/results/ (not committed). Exit status: the tests' if they failed, else
# gpu_check.py's (1: a result differs from the CPU's beyond tolerance).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python}
OUT=${GPU_CHECK_OUT:-benchmarks/results/gpu_check-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check.sh: torch sees no CUDA GPU here" >&2
    exit 2
fi
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true

status=0
if [ -z "${SKIP_TESTS:-}" ]; then
    echo "== test suite (log: $OUT/tests.txt)"
    "$PY" -m pytest -q -p no:cacheprovider 2>&1 | tee "$OUT/tests.txt" | tail -n 15
    status=${PIPESTATUS[0]}
fi

echo "== timings and checks against the CPU (report: $OUT/gpu_check.md)"
"$PY" benchmarks/gpu_check.py --device cuda "$@" | tee "$OUT/gpu_check.md"
check=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$check
exit "$status"
