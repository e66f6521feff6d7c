"""Step 6b of the model recipe: PyTorch reference numbers.

1. test/fixtures/model-reference.json: for the reference texts (ids from reference-ids.mts), the
   per-token log-probabilities with <|endoftext|> prepended as context, so token 0 is scored too.
   The TypeScript prior must reproduce them within 1e-3.
2. Held-out evaluation over all 50 held-out Brown documents, scored the way the TypeScript prior
   scores long documents: <|endoftext|> + document, windows of the full context advancing by
   --stride, each token scored once (the first window scores its first context tokens, later
   windows their last `stride`). Prints and writes perplexity per BPE token and per word (word =
   whitespace-separated word of the text), the shares of tokens with P > 0.9 / 0.99 and a
   probability histogram in 0.1 bins.

Usage: python3 reference.py --ckpt .cache/model/ckpt.pt --data .cache/model --fixture test/fixtures/model-reference.json
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt import GPTConfig, load_checkpoint  # noqa: E402


def window_plan(n_targets, context, stride):
    """Windows over a sequence s of n_targets + 1 tokens (s[0] = <|endoftext|>): a list of
    (input_start, input_end, first_new_target); targets are s[1:], target j is s[j]."""
    length = n_targets + 1
    plan = []
    plan.append((0, min(length - 1, context), 1))
    done = min(length - 1, context)  # targets 1..done are scored
    while done < length - 1:
        last = min(length - 1, done + stride)  # last target of this window
        start = last - context
        plan.append((start, last, done + 1))
        done = last
    return plan


@torch.no_grad()
def score(model, seq, context, stride):
    """Log-probabilities of seq[1:] given the preceding tokens (seq[0] = <|endoftext|>)."""
    out = np.zeros(len(seq) - 1, dtype=np.float64)
    for start, end, first in window_plan(len(seq) - 1, context, stride):
        x = torch.tensor(seq[start:end], dtype=torch.long).unsqueeze(0)
        lp = F.log_softmax(model(x)[0], dim=-1)
        targets = torch.tensor(seq[start + 1:end + 1], dtype=torch.long)
        got = lp.gather(1, targets.unsqueeze(1)).squeeze(1).double().numpy()
        # input position i predicts target start + 1 + i; keep targets >= first
        out[first - 1:end] = got[first - 1 - start:]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='.cache/model/ckpt.pt')
    ap.add_argument('--data', default='.cache/model')
    ap.add_argument('--fixture', default='test/fixtures/model-reference.json')
    ap.add_argument('--stride', type=int, default=128)
    ap.add_argument('--skip-eval', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, ck = load_checkpoint(args.ckpt)
    cfg = GPTConfig(**ck['config'])
    eot = cfg.vocab_size - 1

    refs = json.load(open(os.path.join(args.data, 'reference-input.json')))
    fixture = {'note': 'PyTorch per-token natural-log probabilities; <|endoftext|> is prepended as context '
                       'and not scored. Written by tools/model/reference.py.',
               'step': ck['step'], 'texts': []}
    for r in refs:
        assert len(r['ids']) + 1 <= cfg.n_positions, 'reference texts must fit one window'
        lp = score(model, [eot] + r['ids'], cfg.n_positions, args.stride)
        fixture['texts'].append({'name': r['name'], 'text': r['text'], 'ids': r['ids'],
                                 'logProbs': [round(float(v), 6) for v in lp]})
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    with open(args.fixture, 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')
    print(f'wrote {args.fixture}')
    if args.skip_eval:
        return

    meta = json.load(open(os.path.join(args.data, 'heldout.docs.json')))
    held = np.fromfile(os.path.join(args.data, 'heldout.bin'), dtype=np.uint16).astype(np.int64)
    all_lp = []
    for d in meta['docs']:
        seq = held[d['offset']:d['offset'] + d['length']].tolist()
        assert seq[0] == eot
        all_lp.append(score(model, seq, cfg.n_positions, args.stride))
    lp = np.concatenate(all_lp)
    p = np.exp(lp)
    nll = -lp.sum()
    hist = np.histogram(p, bins=np.linspace(0, 1, 11))[0]
    result = {
        'step': ck['step'], 'epochs': ck.get('epochs'), 'elapsed_s': ck.get('elapsed'), 'stride': args.stride,
        'tokens': int(len(lp)), 'words': meta['words'], 'chars': meta['chars'],
        'ppl_token': float(math.exp(nll / len(lp))), 'ppl_word': float(math.exp(nll / meta['words'])),
        'bits_per_char': float(nll / math.log(2) / meta['chars']),
        'share_p_gt_0_9': float((p > 0.9).mean()), 'share_p_gt_0_99': float((p > 0.99).mean()),
        'histogram_0_1_bins': [int(h) for h in hist],
        'histogram_share': [float(h / len(lp)) for h in hist],
    }
    with open(os.path.join(args.data, 'eval.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()
