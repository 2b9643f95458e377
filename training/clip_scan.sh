#!/usr/bin/env bash
# Each checkpoint on the temporal clip (issue 9), one line each: a GPU scan's steps
# (gpu_scan.sh) compared with what matters for the video, before any full validation.
#   training/clip_scan.sh OUT_DIR CK.pt [CK.pt ...]
# For each CK: candidate.sh CK OUT_DIR/NAME (the model folder), ./daair eval on
# samples/temporal (OUT_DIR/NAME.json) and temporal_segments.py (OUT_DIR/NAME.txt); the lines
# that sum it up go to stdout. CLIP=DIR takes another realisation (make_temporal_clip.py --out DIR).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
[ $# -ge 2 ] || { echo "usage: training/clip_scan.sh OUT_DIR CK.pt [CK.pt ...]" >&2; exit 2; }
OUT="$1"; shift
CLIP="${CLIP:-$ROOT/samples/temporal}"
mkdir -p "$OUT"
for ck in "$@"; do
    name="$(basename "$ck" .pt)"
    "$HERE/candidate.sh" "$ck" "$OUT/$name" > /dev/null
    DAAIR_NO_BUILD=1 "$ROOT/daair" eval --clean "$CLIP/car-park-clean.mp4" --degraded "$CLIP/car-park-degraded.mp4" \
        --model "$OUT/$name" --json "$OUT/$name.json" > "$OUT/$name.eval.log" 2>&1
    /usr/bin/python3 "$HERE/temporal_segments.py" "$OUT/$name.json" > "$OUT/$name.txt"
    echo "$name: $(head -1 "$OUT/$name.txt" | sed 's/^[^:]*: //')"
    grep -E "^  (haze|noise)|as a sum" "$OUT/$name.txt" | sed 's/^/    /'
done
