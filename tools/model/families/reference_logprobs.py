"""PyTorch reference log-probabilities of a test model, written next to its fixture as reference.json
so the JavaScript tests compare within 1e-3 without torch.

Every sequence is [document start] + ids, the document-start token being the one the training data
used (docs.json 'eot': <|endoftext|> for gpt2 and qwen2, <s> for llama); it is context, not scored.
  texts:     the reference texts of reference-ids.mts (each fits one window);
  documents: whole held-out documents, scored in windows exactly as src/prior/transformers/windows.ts
             plans them (first window the first `context` targets, then `stride` more per window, later
             windows start mid-document, without the start token), with --stride (default context / 2).
Log-probabilities are log_softmax of the raw logits over the config's full vocab_size (padded rows
included), natural log, rounded to 1e-6.

Usage: python3 reference_logprobs.py --ckpt CKPT --data CACHE_DIR --out FOLDER/reference.json [--stride N]
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from reference import score  # noqa: E402  (tools/model/reference.py: the shipped model's windowed scorer)
from checkpoint import context_of, load_family_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--stride', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, ck = load_family_checkpoint(args.ckpt)
    context = context_of(ck)
    stride = args.stride or context // 2
    start = json.load(open(os.path.join(args.data, 'heldout.docs.json')))['eot']
    rows = lambda lp: [round(float(v), 6) for v in lp]  # noqa: E731
    out = {
        'note': 'PyTorch per-token natural-log probabilities (log_softmax of the raw logits); the document-start '
                'token is prepended as context and not scored. Written by tools/model/families/reference_logprobs.py.',
        'family': ck['family'], 'step': ck['step'], 'documentStartId': start, 'context': context, 'stride': stride,
        'texts': [], 'documents': [],
    }
    for r in json.load(open(os.path.join(args.data, 'reference-input.json'))):
        assert len(r['ids']) + 1 <= context, f'{r["name"]} does not fit one window'
        out['texts'].append({**r, 'logProbs': rows(score(model, [start] + r['ids'], context, stride))})
    docs_file = os.path.join(args.data, 'reference-documents.json')
    for d in json.load(open(docs_file)) if os.path.exists(docs_file) else []:
        out['documents'].append({**d, 'logProbs': rows(score(model, [start] + d['ids'], context, stride))})
    with open(args.out, 'w') as f:
        json.dump(out, f)
        f.write('\n')
    n = sum(len(t['ids']) for t in out['texts'] + out['documents'])
    print(f'wrote {args.out}: {len(out["texts"])} texts, {len(out["documents"])} documents, {n} scored tokens')


if __name__ == '__main__':
    main()
