#!/usr/bin/env bash
# Ship a trained checkpoint: weights (without optimizer state) -> ONNX graphs + reference tensors
# -> model card checksums -> full blind validation (JSON) -> validation curve.
#   training/ship.sh training/runs/daair-s/best.pt [name]
# Environment: VAL_JSON=file  reuse a full validation of this same checkpoint (evaluate.py --json)
#              instead of running it again (25+ minutes on 2 cores);
#              LOG=file       the training log for the curve (default training/runs/NAME/log.jsonl).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CK="$1"; NAME="${2:-daair-s}"
PY=/usr/bin/python3
CK_ABS="$(cd "$(dirname "$CK")" && pwd)/$(basename "$CK")"   # before the cd below
(cd "$HERE" && "$PY" -m daair.checkpoint ship "$CK_ABS" "$ROOT/models/$NAME.pt")
"$PY" "$HERE/export.py" --weights "$ROOT/models/$NAME.pt" --out "$ROOT/models" 2>&1 | grep -v Warning | grep -v "^ " || true
"$PY" "$HERE/update_card.py" "$ROOT/models" > /dev/null
if [ -n "${VAL_JSON:-}" ]; then
    cp "$VAL_JSON" "$ROOT/models/$NAME-val.json"
    "$PY" -c "import json,sys; sys.path.insert(0,'$HERE'); from evaluate import markdown; r=json.load(open('$ROOT/models/$NAME-val.json')); print(markdown(r)); print(); print(len([1 for v in r['sets'].values() for _ in range(v['n'])]), 'images in', round(r['seconds']), 's')" | tee "$ROOT/models/$NAME-val.md"
else
    "$PY" "$HERE/evaluate.py" --weights "$ROOT/models/$NAME.pt" --json "$ROOT/models/$NAME-val.json" | tee "$ROOT/models/$NAME-val.md"
fi
"$PY" "$HERE/plot_log.py" "${LOG:-$HERE/runs/$NAME/log.jsonl}" "$ROOT/models/$NAME-val-curve.png"
