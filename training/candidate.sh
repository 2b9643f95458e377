#!/usr/bin/env bash
# A training checkpoint as a model folder the Java engine can load (`./daair ... --model DIR`), for
# evaluating a candidate on video before shipping it: weights without the optimizer state, the ONNX
# graphs and reference tensors, and a copy of the model card with the graphs' checksums.
#   training/candidate.sh training/runs/daair-s-v17/step1000.pt /tmp/v17-1000
# then e.g. ./daair eval --clean samples/temporal/car-park-clean.mp4 \
#   --degraded samples/temporal/car-park-degraded.mp4 --model /tmp/v17-1000 --json v17.json
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
if [ $# -ne 2 ]; then
    echo "usage: training/candidate.sh CHECKPOINT.pt OUT_DIR" >&2
    exit 2
fi
CK="$1"; DIR="$2"
[ -f "$CK" ] || { echo "candidate: no checkpoint $CK" >&2; exit 2; }
PY=/usr/bin/python3
mkdir -p "$DIR"
DIR_ABS="$(cd "$DIR" && pwd)"
CK_ABS="$(cd "$(dirname "$CK")" && pwd)/$(basename "$CK")"   # before the cd below
(cd "$HERE" && "$PY" -m daair.checkpoint ship "$CK_ABS" "$DIR_ABS/daair-s.pt")
"$PY" "$HERE/export.py" --weights "$DIR/daair-s.pt" --out "$DIR" 2>&1 | grep -v Warning | grep -v "^ " > "$DIR/export.log" || true
cp "$ROOT/models/README.md" "$DIR/"
"$PY" "$HERE/update_card.py" "$DIR" > /dev/null
echo "candidate: $DIR (./daair ... --model $DIR)"
