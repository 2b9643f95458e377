#!/usr/bin/env bash
# Ship a trained checkpoint: weights (without optimizer state) -> ONNX graphs + reference tensors
# -> model card checksums -> full blind validation (JSON) -> validation curve.
#   training/ship.sh training/runs/daair-s/best.pt [name]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CK="$1"; NAME="${2:-daair-s}"
PY=/usr/bin/python3
"$PY" - "$CK" "$ROOT/models/$NAME.pt" <<'PYEOF'
import sys, torch
ck = torch.load(sys.argv[1], map_location="cpu")
keep = {k: ck[k] for k in ("config_name", "config", "model", "step", "elapsed_s", "best") if k in ck}
keep["experiment"] = {k: v for k, v in ck.get("experiment", {}).items() if k not in ("train_dir", "val_dir", "run_dir")}
torch.save(keep, sys.argv[2])
print("step", ck["step"], "elapsed_s", round(ck.get("elapsed_s", 0)))
PYEOF
"$PY" "$HERE/export.py" --weights "$ROOT/models/$NAME.pt" --out "$ROOT/models" 2>&1 | grep -v Warning | grep -v "^ " || true
"$PY" "$HERE/update_card.py" "$ROOT/models" > /dev/null
"$PY" "$HERE/evaluate.py" --weights "$ROOT/models/$NAME.pt" --json "$ROOT/models/$NAME-val.json" | tee "$ROOT/models/$NAME-val.md"
"$PY" "$HERE/plot_log.py" "$HERE/runs/$NAME/log.jsonl" "$ROOT/models/$NAME-val-curve.png"
