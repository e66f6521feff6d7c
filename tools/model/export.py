"""Step 5 of the model recipe: export a checkpoint to the ONNX contract that transformers.js v2
expects for model_type gpt2, and write config.json / generation_config.json next to it.

Contract (one graph serves the first step and cached steps):
  inputs  input_ids int64 [B,T], attention_mask int64 [B,P+T],
          past_key_values.{i}.key|value float32 [Bp,H,P,D]  (Bp = B, or 1 with P = 0)
  outputs logits [B,T,V] (log-probabilities: log_softmax is part of the graph),
          present.{i}.key|value float32 [B,H,P+T,D]
Why these choices:
  * transformers.js feeds an empty past of batch 1 on the first call, so the past is expanded to B
    inside the graph; otherwise batched scoring fails.
  * positions come from cumsum(attention_mask) - 1, so left and right padding both work and no
    position_ids input is needed.
  * masking uses -1e9, not -inf, so fully masked (padding) rows stay finite.
  * log_softmax is emitted under the name `logits` because transformers.js keeps only that output,
    and a JavaScript log-sum-exp over the vocabulary at every position costs more than the model.
  * the graph is traced with distinct sizes (B=3, T=5, P=7) so no dimension is frozen.
  * constant folding stores the tied embedding a second time, transposed; that copy is replaced
    by a Transpose node of the embedding (saves vocab x width x 4 bytes).

Usage: python3 export.py --ckpt .cache/model/ckpt.pt --tokenizer .cache/model/tok --out models/NAME
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt import GPT, GPTConfig, MASK_VALUE, load_checkpoint  # noqa: E402


class OnnxDecoder(nn.Module):
    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, attention_mask, *past):
        g = self.gpt
        b, t = input_ids.shape[0], input_ids.shape[1]
        p = past[0].shape[2]
        total = attention_mask.shape[1]
        # Positions count real tokens only; padding gets a clamped (unused) position.
        pos = torch.cumsum(attention_mask, dim=1) - 1
        pos = pos[:, total - t:].clamp(0, g.cfg.n_positions - 1)
        x = g.wte(input_ids) + g.wpe(pos)
        q_idx = torch.arange(t).unsqueeze(1) + p
        k_idx = torch.arange(total).unsqueeze(0)
        allowed = (k_idx <= q_idx).unsqueeze(0).unsqueeze(0) & (attention_mask.unsqueeze(1).unsqueeze(2) > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), MASK_VALUE, dtype=torch.float32))
        presents = []
        for i, block in enumerate(g.blocks):
            pk, pv = past[2 * i], past[2 * i + 1]
            # An empty past may arrive with batch 1: broadcast it to the batch of input_ids.
            pk = pk.expand(b, pk.shape[1], pk.shape[2], pk.shape[3])
            pv = pv.expand(b, pv.shape[1], pv.shape[2], pv.shape[3])
            x, k, v = block(x, bias, pk, pv)
            presents += [k, v]
        logits = F.log_softmax(F.linear(g.ln_f(x), g.wte.weight), dim=-1)
        return (logits, *presents)


def dedupe_tied_embedding(path, emb):
    """Replace a stored transposed copy of the embedding by a Transpose node of the original."""
    m = onnx.load(path)
    inits = {i.name: i for i in m.graph.initializer}
    emb_name = dup_name = None
    for name, init in inits.items():
        arr = numpy_helper.to_array(init)
        if arr.shape == emb.shape and np.array_equal(arr, emb):
            emb_name = name
        elif arr.shape == emb.T.shape and np.array_equal(arr, emb.T):
            dup_name = name
    if emb_name is None or dup_name is None:
        print(f'dedupe: nothing to do (embedding {emb_name}, transposed copy {dup_name})')
        return
    m.graph.initializer.remove(inits[dup_name])
    m.graph.node.insert(0, helper.make_node('Transpose', [emb_name], [dup_name], perm=[1, 0], name='tied_head_transpose'))
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print(f'dedupe: {dup_name} is now Transpose({emb_name})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='.cache/model/ckpt.pt')
    ap.add_argument('--tokenizer', default='.cache/model/tok')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)

    gpt, ck = load_checkpoint(args.ckpt)
    cfg = GPTConfig(**ck['config'])
    dec = OnnxDecoder(gpt).eval()

    os.makedirs(os.path.join(args.out, 'onnx'), exist_ok=True)
    onnx_path = os.path.join(args.out, 'onnx', 'decoder_model_merged.onnx')
    B, T, P, H, D = 3, 5, 7, cfg.n_head, cfg.n_embd // cfg.n_head
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (B, T), generator=g)
    mask = torch.ones(B, P + T, dtype=torch.int64)
    mask[0, :2] = 0  # some left padding, so the mask path is exercised when tracing
    past = [torch.randn(B, H, P, D, generator=g) for _ in range(2 * cfg.n_layer)]
    past_names, present_names = [], []
    dynamic = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'total'},
               'logits': {0: 'batch', 1: 'seq'}}
    for i in range(cfg.n_layer):
        for kind in ('key', 'value'):
            past_names.append(f'past_key_values.{i}.{kind}')
            present_names.append(f'present.{i}.{kind}')
            dynamic[past_names[-1]] = {0: 'past_batch', 2: 'past_seq'}
            dynamic[present_names[-1]] = {0: 'batch', 2: 'total'}
    with torch.no_grad():
        torch.onnx.export(dec, (ids, mask, *past), onnx_path, opset_version=14,
                          input_names=['input_ids', 'attention_mask', *past_names],
                          output_names=['logits', *present_names], dynamic_axes=dynamic,
                          do_constant_folding=True)
    dedupe_tied_embedding(onnx_path, gpt.wte.weight.detach().numpy())

    # Check the exported graph's contract against the PyTorch module on a plain forward.
    with torch.no_grad():
        ref = F.log_softmax(gpt(ids), dim=-1)
        empty = [torch.zeros(1, H, 0, D) for _ in range(2 * cfg.n_layer)]
        got = dec(ids, torch.ones(B, T, dtype=torch.int64), *empty)[0]
        print(f'module check: max |diff| {float((ref - got).abs().max()):.2e}')

    eot = cfg.vocab_size - 1
    config = {
        'architectures': ['GPT2LMHeadModel'],
        'model_type': 'gpt2',
        'vocab_size': cfg.vocab_size,
        'n_positions': cfg.n_positions,
        'n_ctx': cfg.n_positions,
        'n_embd': cfg.n_embd,
        'n_layer': cfg.n_layer,
        'n_head': cfg.n_head,
        'n_inner': 4 * cfg.n_embd,
        'activation_function': 'gelu',
        'layer_norm_epsilon': 1e-5,
        'bos_token_id': eot,
        'eos_token_id': eot,
        'tie_word_embeddings': True,
        'use_cache': True,
        'output_is_log_softmax': True,
    }
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    with open(os.path.join(args.out, 'generation_config.json'), 'w') as f:
        json.dump({'bos_token_id': eot, 'eos_token_id': eot, 'pad_token_id': eot,
                   'max_length': cfg.n_positions}, f, indent=2)
        f.write('\n')
    for name in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copyfile(os.path.join(args.tokenizer, name), os.path.join(args.out, name))
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path)} bytes), step {ck["step"]}')


if __name__ == '__main__':
    main()
