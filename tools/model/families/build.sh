#!/usr/bin/env bash
# Rebuild the test models of each family (test/fixtures/models/{gpt2-merged,gpt2-single,llama,qwen2}):
# Brown data -> the family's tokenizer -> ids -> brief training -> ONNX in the family's layout ->
# PyTorch reference log-probabilities -> onnxruntime check -> SHA256SUMS.
# Usage: bash tools/model/families/build.sh [family ...]   (default: gpt2 llama qwen2; gpt2 makes both layouts)
# Needs what tools/model/build.sh needs (Node with node_modules; Debian's python3-torch, python3-onnx,
# python3-numpy). CPU only, one thread per training; the three trainings can run side by side.
# Deterministic by seed and step count; the model cards (README.md) are written from the checkpoints.
set -euo pipefail
cd "$(dirname "$0")/../../.."

PY=/usr/bin/python3  # Debian's python sees the apt packages; another python3 on PATH may not
CACHE=.cache/families
OUT=test/fixtures/models
CONTEXT=128
FAMILIES=("${@:-gpt2 llama qwen2}")
# shellcheck disable=SC2206
FAMILIES=(${FAMILIES[*]})

mkdir -p "$CACHE"
[ -f "$CACHE/train.jsonl" ] || npx tsx tools/model/dump-brown.mts "$CACHE"

for family in "${FAMILIES[@]}"; do
  data="$CACHE/$family"
  tok="$CACHE/tok-$family"
  mkdir -p "$data"
  cp "$CACHE/train.jsonl" "$CACHE/heldout.jsonl" "$data/"
  # Shape of each test model: small enough to commit (a few MB), trained long enough to pass the
  # prior's sanity probe (perplexity below uniform, context helps by 1.5x).
  case "$family" in
    gpt2)
      npx tsx tools/model/train-bpe.mts "$CACHE/train.jsonl" "$tok" 4096 "$CONTEXT"
      start='<|endoftext|>'
      shape=(--n-layer 2 --n-embd 128 --n-head 4 --steps 500) ;;
    llama)
      npx tsx tools/model/families/train-metaspace-bpe.mts "$CACHE/train.jsonl" "$tok" 4096 "$CONTEXT"
      start='<s>'
      shape=(--n-layer 2 --n-embd 128 --n-head 4 --n-kv-head 2 --intermediate 344 --vocab-size 4096 --steps 500) ;;
    qwen2)
      # 16,384 regular tokens + 3 special; the logits are padded to 16,512 rows (a multiple of 128) as Qwen2 pads.
      npx tsx tools/model/families/train-qwen2-bpe.mts "$CACHE/train.jsonl" "$tok" 16384 "$CONTEXT"
      start='<|endoftext|>'
      shape=(--n-layer 2 --n-embd 64 --n-head 4 --n-kv-head 2 --intermediate 176 --vocab-size 16512 --steps 500) ;;
    *) echo "unknown family $family (gpt2, llama or qwen2)" >&2; exit 2 ;;
  esac
  npx tsx tools/model/encode.mts "$data" "$tok" "$start"
  "$PY" tools/model/train.py --family "$family" --data "$data" --out "$data/ckpt.pt" --context "$CONTEXT" \
    --batch 8 --threads 1 --lr 3e-3 --warmup 50 "${shape[@]}" 2>&1 | tee "$data/train.log"
  # The reference texts (a held-out paragraph that fits one window) and two whole held-out documents.
  npx tsx tools/model/reference-ids.mts "$data" "$tok" $((CONTEXT - 8)) 2

  case "$family" in
    gpt2) layouts=("gpt2-merged merged" "gpt2-single single --position-ids") ;;
    llama) layouts=("llama merged --position-ids") ;;
    qwen2) layouts=("qwen2 single --position-ids") ;;
  esac
  for spec in "${layouts[@]}"; do
    read -r name layout positions <<<"$spec"
    dir="$OUT/$name"
    mkdir -p "$dir"
    "$PY" tools/model/families/export_onnx.py --ckpt "$data/ckpt.pt" --tokenizer "$tok" --out "$dir" --layout "$layout" ${positions:+"$positions"}
    "$PY" tools/model/families/reference_logprobs.py --ckpt "$data/ckpt.pt" --data "$data" --out "$dir/reference.json"
    npx tsx tools/model/families/check-onnx.mts "$dir"
    graph=$(cd "$dir" && ls onnx/*.onnx)
    # What the loader verifies on every load; the card and the reference are left out.
    (cd "$dir" && sha256sum config.json generation_config.json tokenizer.json tokenizer_config.json "$graph" > SHA256SUMS)
    "$PY" tools/model/families/model_card.py --ckpt "$data/ckpt.pt" --folder "$dir" --layout "$layout" ${positions:+"$positions"}
  done
done
echo "fixtures written to $OUT"
