#!/bin/bash
# One prepared GPU session (about 9 minutes on one H100), run from the repository root:
#   1. gpu_bench.py: the paper-size daair and the shipped daair-s at 720p/1080p, batch 1/4/8,
#      FP32/FP16, eager and CUDA graph, ONNX agreement                     (<= BENCH_S seconds)
#   2. train.py configs/daair-gpu-burst.yaml: daair from scratch for TRAIN_MIN minutes
#   3. evaluate.py of the burst's best checkpoint on Kodak24 (5 degradations) and Rain100L, blind
# Data: .gpu-data/ beside training/ (made by `/usr/bin/python3 training/make_gpu_data.py`: JPEG copies of train/,
# the quick-val crops, Kodak24 and Rain100L), carried to the machine because it is git-ignored.
# Results under $OUT (at most 8 files come back, each < 16 MiB): console.log, gpu-bench.json,
# train-log.jsonl, eval-daair.json and the best checkpoint split into parts (daair.partN.pt;
# join here with `/usr/bin/python3 -m daair.checkpoint join ... ` from training/).
set -u
OUT=${OUT:-/tmp/gpu-burst-out}
PY=${PY:-python3}
BENCH_S=${BENCH_S:-120}
TRAIN_MIN=${TRAIN_MIN:-4.0}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
exec > >(tee -a "$OUT/console.log") 2>&1
date -u; nvidia-smi; $PY -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'

echo "== 1. benchmark"
timeout "$BENCH_S" $PY training/gpu_bench.py --model daair --model daair-s=models/daair-s.pt --json "$OUT/gpu-bench.json"

echo "== 2. training burst"
cd training
rm -rf runs/daair-gpu-burst
timeout $(awk "BEGIN{print int($TRAIN_MIN*60+90)}") $PY train.py configs/daair-gpu-burst.yaml --time-budget-min "$TRAIN_MIN"
cp runs/daair-gpu-burst/log.jsonl "$OUT/train-log.jsonl"
ck=runs/daair-gpu-burst/best.pt; [ -f "$ck" ] || ck=runs/daair-gpu-burst/last.pt
$PY -m daair.checkpoint split "$ck" "$OUT/daair"

echo "== 3. evaluation (blind) on Kodak24 and Rain100L"
timeout 120 $PY evaluate.py --weights "$ck" --val-dir ../.gpu-data/val --sets Kodak24,Rain100L --device cuda \
    --threads 8 --json "$OUT/eval-daair.json"
date -u; ls -la "$OUT"
