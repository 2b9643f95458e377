#!/bin/bash
# One prepared GPU session that trains several continuations of the shipped model side by side and
# keeps every validated step, so that what a recipe does to the temporal clip (issue 9) can be
# scanned here afterwards, checkpoint by checkpoint (./daair eval runs only here, with Java).
#   /usr/bin/python3 training/make_gpu_data.py   # ../.gpu-data, the photos that travel
#   device run (after training/gpu_travel.sh light; carry [.gpu-data]; timeout_s ~590):
#   OUT=$OUT TRAIN_MIN=7 bash training/gpu_scan.sh a=configs/daair-s-v22a-gpu.yaml b=configs/...
# Each NAME=CONFIG trains from ../models/daair-s.pt for the config's fixed step count (no time
# budget: the schedule is the config's, as on the CPU), or until TRAIN_MIN runs out; the configs set
# keep_val_checkpoints. Back under $OUT: console.log and, per run, NAME.tar with its log.jsonl and
# each kept step's weights without the optimizer, in float16 (half the size, so 4 runs x 4 steps
# fit the 64 MiB that comes back; they are then the weights that get evaluated and shipped).
# Here: tar -xf NAME.tar; evaluate / candidate.sh take the .pt files as they are.
# Rehearsal on the CPU: DEVICE=cpu TRAIN_MIN=1 EXTRA="--batch-size 2 --steps 4" PY=/usr/bin/python3 \
#   RUNS=/tmp/scan-runs OUT=/tmp/scan bash training/gpu_scan.sh a=configs/daair-s-v22a-gpu.yaml
set -u
OUT=${OUT:-/tmp/gpu-scan-out}
PY=${PY:-python3}
TRAIN_MIN=${TRAIN_MIN:-7.0}
DEVICE=${DEVICE:-cuda}
RUNS=${RUNS:-runs/gpu-scan}      # under training/; git-ignored
EXTRA=${EXTRA:-}                 # more train.py arguments for every run (word-split)
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
exec > >(tee -a "$OUT/console.log") 2>&1
date -u; nvidia-smi --query-gpu=name,memory.used --format=csv || true

cd training
rm -rf "$RUNS"; mkdir -p "$RUNS"
limit=$(awk "BEGIN{print int($TRAIN_MIN*60)}")
names=(); pids=()
for spec in "$@"; do
    name=${spec%%=*}; config=${spec#*=}
    timeout "$limit" $PY train.py "$config" --device "$DEVICE" --run-dir "$RUNS/$name" \
        --init ../models/daair-s.pt $EXTRA > "$RUNS/$name.out" 2>&1 &
    names+=("$name"); pids+=($!)
done
alive() { for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
n=0
while alive; do
    sleep 5; n=$((n + 1)); [ $((n % 6)) = 0 ] || continue
    for name in "${names[@]}"; do echo "[$(date -u +%T)] $name: $(grep -E '^(step|val)' "$RUNS/$name.out" | tail -1)"; done
done
for i in "${!names[@]}"; do wait "${pids[$i]}"; echo "== ${names[$i]} (exit $?)"; cat "$RUNS/${names[$i]}.out"; done

echo "== collecting"
for name in "${names[@]}"; do
    d="$RUNS/$name"; pack="$RUNS/pack-$name"; mkdir -p "$pack"
    cp "$d/log.jsonl" "$pack/$name-log.jsonl"
    for ck in "$d"/step*.pt; do
        [ -f "$ck" ] && $PY -m daair.checkpoint half "$ck" "$pack/$name-$(basename "$ck")"
    done
    tar -cf "$OUT/$name.tar" -C "$pack" .
done
date -u; ls -la "$OUT"
