"""A GPT-2-layout causal language model in plain PyTorch (pre-LayerNorm blocks, GELU MLP 4x,
learned positions, LM head tied to the token embedding). Shared by training, export and the
reference script so all three use the same module."""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

# Masked attention scores get a large finite negative, not -inf: a fully masked (padded) row then
# gives a uniform distribution instead of NaN, and the ONNX graph uses the same value.
MASK_VALUE = -1e9


@dataclass
class GPTConfig:
    vocab_size: int = 8192
    n_positions: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 256

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.n_head, self.head_dim).transpose(1, 2)

    def forward(self, x, bias, past_k=None, past_v=None):
        """x [B,T,C]; bias additive mask broadcastable to [B,H,T,P+T]; past [B,H,P,D] or None."""
        q, k, v = self.qkv(x).split(x.shape[-1], dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim)) + bias
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(x.shape)
        return self.proj(y), k, v


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        self.out = nn.Linear(4 * cfg.n_embd, cfg.n_embd)

    def forward(self, x, bias, past_k=None, past_v=None):
        a, k, v = self.attn(self.ln1(x), bias, past_k, past_v)
        x = x + a
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.apply(self._init)
        for b in self.blocks:  # GPT-2: residual projections scaled by depth
            nn.init.normal_(b.attn.proj.weight, std=0.02 / math.sqrt(2 * cfg.n_layer))
            nn.init.normal_(b.out.weight, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx):
        """Training / scoring without padding or cache: idx [B,T] -> logits [B,T,V]."""
        t = idx.shape[1]
        pos = torch.arange(t, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        causal = torch.full((t, t), MASK_VALUE).triu(1)
        for b in self.blocks:
            x, _, _ = b(x, causal)
        return F.linear(self.ln_f(x), self.wte.weight)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def load_checkpoint(path):
    """The model saved by train.py (in eval mode) and the checkpoint dict it came from."""
    ck = torch.load(path, map_location='cpu')
    model = GPT(GPTConfig(**ck['config']))
    model.load_state_dict(ck['model'])
    model.eval()
    return model, ck
