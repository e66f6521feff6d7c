"""PyTorch eager side of bench/transformers.ts: the same model on the same padded batches.

bench/transformers.ts writes the scoring batches it gives onnxruntime to a JSON file:
  {"batches": {"8": [{"rows": R, "width": T, "ids": [R*T ints], "mask": [R*T 0/1]}, ...], "16": [...]},
   "onnx": "<path of decoder_model_merged.onnx>"}
This script runs every batch through the model in eager mode under torch.no_grad(): positions
from cumsum(mask) - 1 and a causal + padding mask, exactly as the exported graph does them
(tools/model/export.py), then log_softmax over the vocabulary and top-8. Nothing else is done
with the output. It prints one JSON object on stdout: seconds (wall and CPU) per batch size, peak
RSS, where the weights came from, and the top-1 of the first positions of the first batch (the
TypeScript side compares them with onnxruntime's).

Weights: the training checkpoint (--ckpt, default .cache/model/ckpt.pt) through gpt.py's GPT class
if it exists; otherwise the ONNX graph's initializers (python3-onnx). When both exist, the token
embedding of the checkpoint is compared with the graph's, so a stale checkpoint is reported.

Usage: /usr/bin/python3 tools/model/bench_torch.py --batches FILE [--ckpt FILE] [--threads 2] [--topk 8]
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt import GPT, GPTConfig, MASK_VALUE, load_checkpoint  # noqa: E402


def load_from_onnx(path):
    """A GPT with the weights of the exported graph. The MatMul weights of the blocks are stored
    transposed ([in, out]) under generated names, four per block in graph order: qkv, proj, fc, out."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    wte = inits['gpt.wte.weight']
    wpe = inits['gpt.wpe.weight']
    n_layer = 1 + max(int(k.split('.')[2]) for k in inits if k.startswith('gpt.blocks.'))
    n_embd = wte.shape[1]
    cfg = GPTConfig(vocab_size=wte.shape[0], n_positions=wpe.shape[0], n_layer=n_layer, n_head=4, n_embd=n_embd)
    # The head count is not stored as a tensor; the graph's past inputs give it ([B, H, P, D]).
    for inp in m.graph.input:
        if inp.name == 'past_key_values.0.key':
            cfg.n_head = inp.type.tensor_type.shape.dim[1].dim_value
    matmuls = sorted((k for k in inits if k.startswith('onnx::MatMul_')), key=lambda k: int(k.rsplit('_', 1)[1]))
    if len(matmuls) != 4 * n_layer:
        raise SystemExit(f'expected {4 * n_layer} MatMul initializers, found {len(matmuls)}')
    state = {'wte.weight': wte, 'wpe.weight': wpe, 'ln_f.weight': inits['gpt.ln_f.weight'], 'ln_f.bias': inits['gpt.ln_f.bias']}
    for i in range(n_layer):
        p = f'gpt.blocks.{i}.'
        for name in ('ln1.weight', 'ln1.bias', 'ln2.weight', 'ln2.bias', 'attn.qkv.bias', 'attn.proj.bias', 'fc.bias', 'out.bias'):
            state[f'blocks.{i}.{name}'] = inits[p + name]
        for j, name in enumerate(('attn.qkv.weight', 'attn.proj.weight', 'fc.weight', 'out.weight')):
            state[f'blocks.{i}.{name}'] = inits[matmuls[4 * i + j]].t().contiguous()
    gpt = GPT(cfg)
    gpt.load_state_dict(state)
    return gpt


def load_model(ckpt, onnx_path):
    info = {}
    if ckpt and os.path.exists(ckpt):
        gpt, ck = load_checkpoint(ckpt)
        info['weights'] = 'checkpoint'
        info['checkpointStep'] = ck.get('step')
        if onnx_path and os.path.exists(onnx_path):
            try:
                import onnx
                from onnx import numpy_helper
                m = onnx.load(onnx_path)
                emb = next(numpy_helper.to_array(i) for i in m.graph.initializer if i.name == 'gpt.wte.weight')
                info['checkpointVsOnnxMaxEmbeddingDiff'] = float((gpt.wte.weight.detach() - torch.from_numpy(emb.copy())).abs().max())
            except ImportError:
                info['checkpointVsOnnxMaxEmbeddingDiff'] = None
    else:
        gpt = load_from_onnx(onnx_path)
        info['weights'] = 'onnx-initializers'
    gpt.eval()
    return gpt, info


def padded_forward(gpt, ids, mask):
    """log-probabilities [B, T, V] of a right- or left-padded batch without a cache, computed like
    the exported graph: positions count real tokens only, padding is masked with MASK_VALUE."""
    t = ids.shape[1]
    pos = (torch.cumsum(mask, dim=1) - 1).clamp(0, gpt.cfg.n_positions - 1)
    x = gpt.wte(ids) + gpt.wpe(pos)
    idx = torch.arange(t)
    allowed = (idx.unsqueeze(0) <= idx.unsqueeze(1)).unsqueeze(0).unsqueeze(0) & (mask.unsqueeze(1).unsqueeze(2) > 0)
    bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), MASK_VALUE, dtype=torch.float32))
    for block in gpt.blocks:
        x, _, _ = block(x, bias)
    return F.log_softmax(F.linear(gpt.ln_f(x), gpt.wte.weight), dim=-1)


def blas_library():
    """The BLAS library this process mapped (Debian's torch calls whatever libblas.so.3 points at:
    the reference BLAS is ~25x slower at these matmuls than OpenBLAS, libopenblas0-pthread)."""
    with open('/proc/self/maps') as f:
        libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    return sorted(os.path.basename(p) for p in libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batches', required=True)
    ap.add_argument('--ckpt', default='.cache/model/ckpt.pt')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--topk', type=int, default=8)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    with open(args.batches) as f:
        spec = json.load(f)
    gpt, info = load_model(args.ckpt, spec.get('onnx'))
    # Tensors are built before timing: the Node side times session.run on prebuilt tensors too.
    batches = {
        size: [(torch.tensor(b['ids'], dtype=torch.int64).view(b['rows'], b['width']),
                torch.tensor(b['mask'], dtype=torch.int64).view(b['rows'], b['width'])) for b in bs]
        for size, bs in spec['batches'].items()
    }
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), **info, 'batchSizes': {}}
    with torch.no_grad():
        first_ids, first_mask = next(iter(batches.values()))[0]
        lp = padded_forward(gpt, first_ids, first_mask)  # warm-up, and the cross-check values
        top = lp[0, :8].max(dim=-1)
        result['check'] = {'top1Ids': top.indices.tolist(), 'top1LogProbs': top.values.tolist()}
        for size, bs in batches.items():
            w0, c0 = time.perf_counter(), time.process_time()
            for ids, mask in bs:
                lp = padded_forward(gpt, ids, mask)
                torch.topk(lp, args.topk, dim=-1)
            result['batchSizes'][size] = {
                'batches': len(bs),
                'seconds': time.perf_counter() - w0,
                'cpuSeconds': time.process_time() - c0,
            }
    result['blas'] = blas_library()
    # ru_maxrss is in kilobytes on Linux.
    result['peakRssMB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    json.dump(result, sys.stdout)
    print()


if __name__ == '__main__':
    main()
