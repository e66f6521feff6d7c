"""Export a test-model checkpoint (train.py --family gpt2|llama|qwen2) to a model folder with the
input/output contract of Hugging Face's ONNX exports (optimum), raw logits:

  inputs  input_ids int64 [batch_size, sequence_length]
          attention_mask int64 [batch_size, past_sequence_length + sequence_length]
          position_ids int64 [batch_size, sequence_length]          (--position-ids)
          past_key_values.N.key / .value float32 [batch_size, num_key_value_heads, past_sequence_length, head_dim]
          use_cache_branch bool [1]                                   (--layout merged)
  outputs logits float32 [batch_size, sequence_length, vocab_size]   (raw, not log_softmax)
          present.N.key / .value [batch_size, num_key_value_heads, past_sequence_length + sequence_length, head_dim]

Layouts: `single` writes onnx/model.onnx (newer optimum exports: the first step gets an empty past of the
batch's size); `merged` writes onnx/decoder_model_merged.onnx (transformers.js v2 / optimum --legacy):
with use_cache_branch false the past inputs are ignored (an empty past of the input's batch is used),
as the If node of optimum's merged decoders does, so the usual first call with a batch-1 empty past works.
Without position_ids (legacy GPT-2 exports), positions are past_sequence_length + 0..T-1 whatever
the attention mask says, as transformers' GPT2Model does when it is given no position_ids: such a
graph scores left-padded rows at shifted positions.
Masking adds -1e9 (finite), so fully masked padding rows stay finite.

Usage: python3 export_onnx.py --ckpt CKPT --tokenizer TOKDIR --out FOLDER --layout single|merged [--position-ids]
"""
import argparse
import os
import shutil
import sys

import onnx
from onnx import TensorProto, helper
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from export import dedupe_tied_embedding  # noqa: E402
from checkpoint import load_family_checkpoint, kv_shape  # noqa: E402
from family_files import write_family_files  # noqa: E402
from modeling import MASK_VALUE  # noqa: E402


class Contract(nn.Module):
    """One forward pass of either family under the optimum input/output contract."""

    def __init__(self, model, family, position_ids):
        super().__init__()
        self.model, self.family, self.position_ids = model, family, position_ids

    def forward(self, input_ids, attention_mask, *rest):
        position_ids, past = (rest[0], rest[1:]) if self.position_ids else (None, rest)
        b, t = input_ids.shape[0], input_ids.shape[1]
        p = past[0].shape[2]
        q_idx = torch.arange(t).unsqueeze(1) + p
        k_idx = torch.arange(p + t).unsqueeze(0)
        allowed = (k_idx <= q_idx).unsqueeze(0).unsqueeze(0) & (attention_mask.unsqueeze(1).unsqueeze(2) > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), MASK_VALUE, dtype=torch.float32))
        if position_ids is None:
            position_ids = (torch.arange(t) + p).unsqueeze(0).expand(b, t)
        if self.family != 'gpt2':
            logits, presents = self.model.decode(input_ids, position_ids, bias, list(past))
            return (logits, *presents)
        g = self.model
        x = g.wte(input_ids) + g.wpe(position_ids)
        presents = []
        for i, block in enumerate(g.blocks):
            x, k, v = block(x, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        return (g.ln_f(x) @ g.wte.weight.t(), *presents)


def add_cache_branch(path, n_layers, kv_heads, head_dim):
    """Turn the graph's past inputs into the outputs of an If on a new `use_cache_branch` input:
    then the given past, else an empty past [batch of input_ids, kv_heads, 0, head_dim]."""
    m = onnx.load(path)
    g = m.graph
    names = [f'past_key_values.{i}.{kind}' for i in range(n_layers) for kind in ('key', 'value')]
    inner = {n: f'{n}.selected' for n in names}
    for node in g.node:
        node.input[:] = [inner.get(x, x) for x in node.input]
    then_nodes = [helper.make_node('Identity', [n], [f'then.{n}']) for n in names]
    then_graph = helper.make_graph(then_nodes, 'use_cache', [], [
        helper.make_tensor_value_info(f'then.{n}', TensorProto.FLOAT, None) for n in names])
    else_nodes = [
        helper.make_node('Shape', ['input_ids'], ['else.ids_shape']),
        helper.make_node('Slice', ['else.ids_shape', 'else.zero', 'else.one'], ['else.batch']),
        helper.make_node('Concat', ['else.batch', 'else.rest'], ['else.shape'], axis=0),
        helper.make_node('ConstantOfShape', ['else.shape'], ['else.empty'],
                         value=helper.make_tensor('v', TensorProto.FLOAT, [1], [0.0])),
    ] + [helper.make_node('Identity', ['else.empty'], [f'else.{n}']) for n in names]
    consts = [helper.make_tensor('else.zero', TensorProto.INT64, [1], [0]),
              helper.make_tensor('else.one', TensorProto.INT64, [1], [1]),
              helper.make_tensor('else.rest', TensorProto.INT64, [3], [kv_heads, 0, head_dim])]
    else_graph = helper.make_graph(else_nodes, 'no_cache', [], [
        helper.make_tensor_value_info(f'else.{n}', TensorProto.FLOAT, None) for n in names], initializer=consts)
    g.node.insert(0, helper.make_node('If', ['use_cache_branch'], [inner[n] for n in names],
                                      then_branch=then_graph, else_branch=else_graph, name='optimum::if'))
    g.input.append(helper.make_tensor_value_info('use_cache_branch', TensorProto.BOOL, [1]))
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--layout', choices=['single', 'merged'], required=True)
    ap.add_argument('--position-ids', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, ck = load_family_checkpoint(args.ckpt)
    family = ck['family']
    n_layers, kv_heads, head_dim = kv_shape(model, family)
    wrapper = Contract(model, family, args.position_ids).eval()

    onnx_dir = os.path.join(args.out, 'onnx')
    if os.path.isdir(onnx_dir):
        shutil.rmtree(onnx_dir)  # no graph of the other layout may stay behind
    os.makedirs(onnx_dir)
    path = os.path.join(onnx_dir, 'model.onnx' if args.layout == 'single' else 'decoder_model_merged.onnx')
    # Distinct sizes (batch 3, new 5, past 7) so no dimension is frozen by the trace.
    B, T, P = 3, 5, 7
    gen = torch.Generator().manual_seed(0)
    vocab = ck['config']['vocab_size']
    inputs = [torch.randint(0, vocab, (B, T), generator=gen), torch.ones(B, P + T, dtype=torch.int64)]
    inputs[1][0, :2] = 0
    names = ['input_ids', 'attention_mask']
    dynamic = {'input_ids': {0: 'batch_size', 1: 'sequence_length'},
               'attention_mask': {0: 'batch_size', 1: 'past_sequence_length + sequence_length'},
               'logits': {0: 'batch_size', 1: 'sequence_length'}}
    if args.position_ids:
        inputs.append(torch.arange(P, P + T).unsqueeze(0).repeat(B, 1))
        names.append('position_ids')
        dynamic['position_ids'] = {0: 'batch_size', 1: 'sequence_length'}
    outputs = ['logits']
    for i in range(n_layers):
        for kind in ('key', 'value'):
            inputs.append(torch.randn(B, kv_heads, P, head_dim, generator=gen))
            names.append(f'past_key_values.{i}.{kind}')
            outputs.append(f'present.{i}.{kind}')
            dynamic[names[-1]] = {0: 'batch_size', 2: 'past_sequence_length'}
            dynamic[outputs[-1]] = {0: 'batch_size', 2: 'past_sequence_length + sequence_length'}
    with torch.no_grad():
        torch.onnx.export(wrapper, tuple(inputs), path, opset_version=14, input_names=names,
                          output_names=outputs, dynamic_axes=dynamic, do_constant_folding=True)
    if ck['config'].get('tie_word_embeddings', family == 'gpt2'):
        emb = model.wte.weight if family == 'gpt2' else model.model.embed_tokens.weight
        dedupe_tied_embedding(path, emb.detach().numpy())
    if args.layout == 'merged':
        add_cache_branch(path, n_layers, kv_heads, head_dim)
    write_family_files(args.out, family, ck['config'], args.tokenizer)
    print(f'exported {path} ({os.path.getsize(path)} bytes), {family}, layout {args.layout}, '
          f'position_ids {"yes" if args.position_ids else "no"}, step {ck["step"]}')


if __name__ == '__main__':
    main()
