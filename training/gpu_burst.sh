#!/bin/bash
# One prepared GPU session (about 9 minutes on one H100), run from the repository root. Two
# trainings share the GPU for TRAIN_MIN minutes each, started together:
#   A. daair-s, the shipped models/daair-s.pt continued (configs/daair-s-v10-gpu.yaml);
#   B. daair (paper size), continued from ../.gpu-data/daair-init.pt when it is there, else from
#      scratch (configs/daair-gpu-burst.yaml); or, with CONFIG_B, INIT_B and NAME_B, any other
#      training, e.g. a second daair-s recipe (configs/daair-s-v20-gpu.yaml has the call).
# Neither fills the GPU alone (small kernels, Python between them); together they made about 1.1x
# the steps of one after the other (an estimate, docs/model-history.md). Each sets its step count from
# its own measured speed and re-plans as the other's load changes (train.py --time-budget-min).
# The full validation of what comes back runs here, on the CPU (evaluate.py).
#
# Before the call (here): `/usr/bin/python3 training/make_gpu_data.py --daair-init <last daair>`
# makes .gpu-data (git-ignored; it travels as `carry`). A call carries at most 64 MiB with the
# tracked tree, and the shipped ONNX graphs and sample videos (36 MB) are not needed there:
#   training/gpu_travel.sh light    # untrack them in the index only and ignore them for the call
#   device run: carry [.gpu-data], command `OUT=$OUT bash training/gpu_burst.sh`
#   training/gpu_travel.sh restore  # the index and .git/info/exclude as they were
# Results under $OUT (at most 8 files come back, each < 16 MiB): console.log, A's and B's
# log.jsonl, A's best and last weights, B's last weights split in parts (join here with
# `/usr/bin/python3 -m daair.checkpoint join PREFIX OUT.pt` from training/).
# A rehearsal here, on the CPU, of the same steps: DEVICE=cpu TRAIN_MIN=2 EXTRA="--batch-size 2"
# PY=/usr/bin/python3 RUNS=/tmp/rehearse-runs OUT=/tmp/rehearse bash training/gpu_burst.sh
set -u
OUT=${OUT:-/tmp/gpu-burst-out}
PY=${PY:-python3}
TRAIN_MIN=${TRAIN_MIN:-7.0}
DEVICE=${DEVICE:-cuda}
RUNS=${RUNS:-runs/gpu-burst}     # under training/; git-ignored
EXTRA=${EXTRA:-}                 # more train.py arguments for both runs (word-split)
CONFIG_A=${CONFIG_A:-configs/daair-s-v10-gpu.yaml}
RUN_B=${RUN_B:-1}                # 0: daair-s alone (a short second call with the time left)
CONFIG_B=${CONFIG_B:-configs/daair-gpu-burst.yaml}
INIT_B=${INIT_B:-}               # B's starting weights; default ../.gpu-data/daair-init.pt if there
NAME_B=${NAME_B:-daair}          # B's run folder and the prefix of its files under $OUT
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
exec > >(tee -a "$OUT/console.log") 2>&1
date -u; nvidia-smi || true; $PY -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available() and torch.cuda.get_device_name(0))'

cd training
rm -rf "$RUNS"; mkdir -p "$RUNS"
limit=$(awk "BEGIN{print int($TRAIN_MIN*60+60)}")
init_b=()
if [ -n "$INIT_B" ]; then init_b=(--init "$INIT_B")
elif [ -f ../.gpu-data/daair-init.pt ]; then init_b=(--init ../.gpu-data/daair-init.pt); fi

echo "== training ($([ "$RUN_B" = 1 ] && echo "$CONFIG_A and $CONFIG_B at once" || echo "$CONFIG_A alone")), $TRAIN_MIN min"
timeout "$limit" $PY train.py "$CONFIG_A" --device "$DEVICE" --run-dir "$RUNS/daair-s" \
    --init ../models/daair-s.pt --time-budget-min "$TRAIN_MIN" $EXTRA > "$RUNS/daair-s.out" 2>&1 &
pid_a=$!
pid_b=
if [ "$RUN_B" = 1 ]; then
    timeout "$limit" $PY train.py "$CONFIG_B" --device "$DEVICE" --run-dir "$RUNS/$NAME_B" \
        "${init_b[@]}" --time-budget-min "$TRAIN_MIN" $EXTRA > "$RUNS/$NAME_B.out" 2>&1 &
    pid_b=$!
fi
# the console shows both as they go: one line per run each 30 s (checked every 5 s, so no device
# time is spent waiting after both have ended)
n=0
while kill -0 $pid_a 2>/dev/null || { [ -n "$pid_b" ] && kill -0 $pid_b 2>/dev/null; }; do
    sleep 5; n=$((n + 1)); [ $((n % 6)) = 0 ] || continue
    echo "[$(date -u +%T)] A: $(grep -E '^(step|val|time)' "$RUNS/daair-s.out" | tail -1)"
    [ -n "$pid_b" ] && echo "[$(date -u +%T)] B: $(grep -E '^(step|val|time)' "$RUNS/$NAME_B.out" | tail -1)"
done
wait $pid_a; echo "A exit $?"
echo "== A (daair-s)"; cat "$RUNS/daair-s.out"
if [ -n "$pid_b" ]; then wait $pid_b; echo "B exit $?"; echo "== B ($NAME_B)"; cat "$RUNS/$NAME_B.out"; fi

echo "== collecting"
cp "$RUNS/daair-s/log.jsonl" "$OUT/daair-s-log.jsonl"
[ "$RUN_B" = 1 ] && cp "$RUNS/$NAME_B/log.jsonl" "$OUT/$NAME_B-log.jsonl"
for w in best last; do
    [ -f "$RUNS/daair-s/$w.pt" ] && $PY -m daair.checkpoint split "$RUNS/daair-s/$w.pt" "$OUT/daair-s-$w"
done
# B: its last weights, and its best when it is a daair-s (small enough for both to come back)
for w in last $([ "$NAME_B" = daair ] || echo best); do
    [ "$RUN_B" = 1 ] && [ -f "$RUNS/$NAME_B/$w.pt" ] && $PY -m daair.checkpoint split "$RUNS/$NAME_B/$w.pt" "$OUT/$NAME_B-$w"
done
date -u; ls -la "$OUT"
