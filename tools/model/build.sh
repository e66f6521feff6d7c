#!/usr/bin/env bash
# Rebuild the Brown GPT prior from scratch: data -> tokenizer -> ids -> training -> ONNX + SHA256SUMS -> reference.
# Usage: bash tools/model/build.sh [--minutes N] [--steps N] [--out models/NAME]
# Needs Node (npm ci done) and Debian's python3-torch, python3-onnx, python3-numpy and
# libopenblas0-pthread (installed with apt-get when missing; without the pthread OpenBLAS, Debian's
# torch falls back to the reference BLAS and trains ~70x slower). CPU only, 2 threads.
set -euo pipefail
cd "$(dirname "$0")/../.."

MINUTES=50
STEPS=0
OUT=models/brown-gpt-5m
CACHE=.cache/model
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

PY=/usr/bin/python3  # Debian's python sees the apt packages; another python3 on PATH may not
if ! "$PY" -c 'import torch, onnx, numpy' 2>/dev/null || ! ldconfig -p | grep -q libopenblas; then
  echo "installing python3-torch python3-onnx python3-numpy libopenblas0-pthread with apt-get" >&2
  apt-get update && apt-get install -y python3-torch python3-onnx python3-numpy libopenblas0-pthread
fi

mkdir -p "$CACHE"
npx tsx tools/model/dump-brown.mts "$CACHE"
npx tsx tools/model/train-bpe.mts "$CACHE/train.jsonl" "$CACHE/tok" 8192
npx tsx tools/model/encode.mts "$CACHE" "$CACHE/tok"
"$PY" tools/model/train.py --data "$CACHE" --out "$CACHE/ckpt.pt" --minutes "$MINUTES" --steps "$STEPS" 2>&1 | tee "$CACHE/train.log"
"$PY" tools/model/export.py --ckpt "$CACHE/ckpt.pt" --tokenizer "$CACHE/tok" --out "$OUT"
# The checksum manifest the loader verifies on every load (and `sha256sum -c SHA256SUMS` by hand).
# The card (README.md) is left out: editing it must not fail the check.
(cd "$OUT" && sha256sum config.json generation_config.json tokenizer.json tokenizer_config.json onnx/decoder_model_merged.onnx > SHA256SUMS)
npx tsx tools/model/reference-ids.mts "$CACHE" "$CACHE/tok"
"$PY" tools/model/reference.py --ckpt "$CACHE/ckpt.pt" --data "$CACHE" --fixture test/fixtures/model-reference.json
npx tsx tools/model/check.mts "$OUT" "$CACHE"
echo "model written to $OUT; write the figures above into $OUT/README.md"
