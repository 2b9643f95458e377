#!/bin/bash
# Keep the shipped ONNX graphs, their reference tensors and the sample videos out of a device call
# (training/gpu_burst.sh): a call carries at most 64 MiB, the tracked tree included, and a GPU
# burst needs none of these. Nothing is committed and no file is touched:
#   light    untrack them in the index only (the files stay on disk) and ignore them, so they do
#            not travel;
#   restore  reset the index to HEAD for those paths and drop the ignore lines again.
#   size     what a call would carry now, with .gpu-data, in MB.
# Run from anywhere inside the repository.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
exclude=.git/info/exclude
mark="# gpu_travel.sh light"
paths=(models/*.onnx models/reference/*.bin samples/*.mp4 samples/temporal/*.mp4)
case "${1:-}" in
light)
    git rm -q --cached -- "${paths[@]}"
    { echo "$mark"; printf '/%s\n' "${paths[@]}"; echo "$mark end"; } >> "$exclude"
    ;;
restore)
    git reset -q -- "${paths[@]}"
    sed -i "/^$mark\$/,/^$mark end\$/d" "$exclude"
    git status --short
    ;;
size)
    { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 du -cb 2>/dev/null | tail -1 |
        awk -v g="$(du -sb .gpu-data 2>/dev/null | cut -f1)" '{printf "tree %.1f MB + .gpu-data %.1f MB = %.1f MB (limit 67.1)\n", $1/1e6, g/1e6, ($1+g)/1e6}'
    ;;
*)
    echo "usage: training/gpu_travel.sh light|restore|size" >&2; exit 2
    ;;
esac
