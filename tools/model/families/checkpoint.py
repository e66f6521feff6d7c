"""Load a checkpoint of train.py, whatever its family (the shipped GPT or families/modeling.py)."""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from gpt import GPT, GPTConfig  # noqa: E402
from modeling import LlamaConfig, LlamaForCausalLM  # noqa: E402


def load_family_checkpoint(path):
    """The model in eval mode and the checkpoint dict (its 'family' defaults to gpt2: the shipped recipe)."""
    ck = torch.load(path, map_location='cpu')
    ck.setdefault('family', 'gpt2')
    if ck['family'] == 'gpt2':
        model = GPT(GPTConfig(**ck['config']))
    else:
        model = LlamaForCausalLM(LlamaConfig(**ck['config']))
    model.load_state_dict(ck['model'])
    model.eval()
    return model, ck


def kv_shape(model, family):
    """(layers, key/value heads, head dim) of the cache."""
    if family == 'gpt2':
        c = model.cfg
        return c.n_layer, c.n_head, c.n_embd // c.n_head
    c = model.cfg
    return c.num_hidden_layers, c.num_key_value_heads, c.head_dim


def context_of(ck):
    c = ck['config']
    return c.get('n_positions') or c['max_position_embeddings']
