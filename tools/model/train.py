"""Step 4 of the model recipe: train the GPT on the encoded Brown train split (CPU).

Training stops at a wall-clock budget (--minutes) or a fixed step count (--steps). With --steps the
learning-rate schedule is a function of the step and the run is reproducible; with --minutes the
schedule follows elapsed time (progress = elapsed / budget), which uses the whole budget on a
machine whose speed varies, at the price of step-exact reproducibility. A checkpoint is written at
every evaluation and at the end, and SIGTERM/SIGINT stop the run cleanly with a checkpoint.

--family llama|qwen2 trains the test models of those families instead (families/modeling.py), with
--vocab-size for a logits width other than the document-start id + 1.

Usage: python3 train.py --data .cache/model --out .cache/model/ckpt.pt --minutes 50
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt import GPT, GPTConfig  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--data', default='.cache/model')
p.add_argument('--out', default='.cache/model/ckpt.pt')
p.add_argument('--minutes', type=float, default=50.0)
p.add_argument('--steps', type=int, default=0, help='fixed step count (overrides --minutes)')
p.add_argument('--batch', type=int, default=16)
p.add_argument('--lr', type=float, default=2e-3)
p.add_argument('--min-lr-ratio', type=float, default=0.1)
p.add_argument('--warmup', type=int, default=100)
p.add_argument('--weight-decay', type=float, default=0.1)
p.add_argument('--doc-start-share', type=float, default=0.1,
               help='share of training windows aligned to a document start')
p.add_argument('--eval-every', type=float, default=300.0, help='seconds between evaluations')
p.add_argument('--seed', type=int, default=1234)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--n-layer', type=int, default=4)
p.add_argument('--n-embd', type=int, default=256)
p.add_argument('--n-head', type=int, default=4)
p.add_argument('--context', type=int, default=256)
p.add_argument('--family', default='gpt2', choices=['gpt2', 'llama', 'qwen2'])
p.add_argument('--vocab-size', type=int, default=0, help='logit rows; default the document-start id + 1')
p.add_argument('--n-kv-head', type=int, default=0, help='llama/qwen2: key/value heads (grouped-query attention)')
p.add_argument('--intermediate', type=int, default=0, help='llama/qwen2: SwiGLU width')
args = p.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

meta = json.load(open(os.path.join(args.data, 'train.docs.json')))
train = torch.from_numpy(np.fromfile(os.path.join(args.data, 'train.bin'), dtype=np.uint16).astype(np.int64))
held = torch.from_numpy(np.fromfile(os.path.join(args.data, 'heldout.bin'), dtype=np.uint16).astype(np.int64))
doc_starts = np.array([d['offset'] for d in meta['docs']])
vocab_size = args.vocab_size or meta['eot'] + 1
if args.family == 'gpt2':
    cfg = GPTConfig(vocab_size=vocab_size, n_positions=args.context, n_layer=args.n_layer,
                    n_head=args.n_head, n_embd=args.n_embd)
    model = GPT(cfg)
else:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'families'))
    from modeling import LlamaConfig, LlamaForCausalLM  # noqa: E402
    qwen2 = args.family == 'qwen2'
    cfg = LlamaConfig(vocab_size=vocab_size, hidden_size=args.n_embd, intermediate_size=args.intermediate,
                      num_hidden_layers=args.n_layer, num_attention_heads=args.n_head,
                      num_key_value_heads=args.n_kv_head, max_position_embeddings=args.context,
                      attention_bias=qwen2, tie_word_embeddings=qwen2,
                      # the values Llama 2 / TinyLlama and Qwen2 ship
                      rms_norm_eps=1e-6 if qwen2 else 1e-5, rope_theta=1e6 if qwen2 else 1e4)
    model = LlamaForCausalLM(cfg)
T = args.context
print(f'params {model.num_params()} config {cfg.to_dict()} train tokens {len(train)}', flush=True)

decay = [q for n, q in model.named_parameters() if q.dim() >= 2]
no_decay = [q for n, q in model.named_parameters() if q.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                         {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr, betas=(0.9, 0.95))


def batch():
    """Random windows of T+1 tokens; a share starts exactly at a document's <|endoftext|>."""
    starts = rng.integers(0, len(train) - T - 1, size=args.batch)
    aligned = rng.random(args.batch) < args.doc_start_share
    picks = doc_starts[rng.integers(0, len(doc_starts), size=args.batch)]
    starts = np.where(aligned, np.minimum(picks, len(train) - T - 1), starts)
    x = torch.stack([train[s:s + T + 1] for s in starts])
    return x[:, :-1], x[:, 1:]


# A fixed held-out subset (non-overlapping windows from the start of the held-out stream) to track
# progress cheaply; the full strided evaluation runs after training (reference.py / Node).
EVAL_WINDOWS = 64
held_x = held[:EVAL_WINDOWS * T + 1]


@torch.no_grad()
def evaluate():
    model.eval()
    total, n = 0.0, 0
    for i in range(0, EVAL_WINDOWS, 16):
        xs = torch.stack([held_x[(i + j) * T:(i + j + 1) * T + 1] for j in range(16)])
        logits = model(xs[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, cfg.vocab_size), xs[:, 1:].reshape(-1), reduction='sum').item()
        n += xs[:, 1:].numel()
    model.train()
    return math.exp(total / n)


def lr_at(progress, step):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(max(progress, 0.0), 1.0)
    return args.lr * (args.min_lr_ratio + (1 - args.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


def save(step, elapsed, ppl):
    tmp = args.out + '.tmp'
    torch.save({'model': model.state_dict(), 'config': cfg.to_dict(), 'family': args.family, 'step': step, 'elapsed': elapsed,
                'tokens_seen': step * args.batch * T, 'epochs': step * args.batch * T / len(train),
                'seed': args.seed, 'args': vars(args), 'subset_ppl': ppl}, tmp)
    os.replace(tmp, args.out)


budget = args.minutes * 60
t0 = time.time()
last_eval = t0
step = 0
loss_avg = None
while not stop:
    elapsed = time.time() - t0
    if args.steps > 0:
        if step >= args.steps:
            break
        progress = step / args.steps
    else:
        if elapsed >= budget:
            break
        progress = elapsed / budget
    lr = lr_at(progress, step)
    for g in opt.param_groups:
        g['lr'] = lr
    x, y = batch()
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    step += 1
    loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
    if step % 20 == 0:
        el = time.time() - t0
        print(f'step {step} loss {loss_avg:.4f} lr {lr:.2e} elapsed {el:.0f}s '
              f'tok/s {step * args.batch * T / el:.0f} epochs {step * args.batch * T / len(train):.2f}', flush=True)
    if time.time() - last_eval >= args.eval_every:
        ppl = evaluate()
        el = time.time() - t0
        print(f'eval step {step} elapsed {el:.0f}s heldout-subset ppl/token {ppl:.2f}', flush=True)
        save(step, el, ppl)
        last_eval = time.time()

el = time.time() - t0
ppl = evaluate()
print(f'final step {step} elapsed {el:.0f}s epochs {step * args.batch * T / len(train):.2f} '
      f'heldout-subset ppl/token {ppl:.2f}', flush=True)
save(step, el, ppl)
