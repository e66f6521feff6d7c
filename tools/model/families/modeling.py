"""The Llama and Qwen2 decoders of the test models, in plain PyTorch, following transformers'
modeling_llama.py / modeling_qwen2.py (module names included, so a state dict reads like theirs):
  * RMSNorm (computed in float32), pre-norm blocks, SwiGLU MLP: down(silu(gate(x)) * up(x));
  * rotary positions on q and k, the "rotate_half" convention (cos/sin of cat(freqs, freqs)), driven by
    position_ids, so left padding keeps each real token's position;
  * grouped-query attention: num_key_value_heads < num_attention_heads, each k/v head serves
    num_attention_heads / num_key_value_heads query heads; the cache holds the k/v heads only, keys
    after rotation, shape [B, num_key_value_heads, P, head_dim];
  * Llama: no bias anywhere, separate lm_head; Qwen2: bias on q/k/v only, lm_head tied to the embedding.
The GPT-2 family uses tools/model/gpt.py (the shipped model's module). Shared by training, export and
the reference so all three run the same code.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

# Masked scores get a large finite negative (as the shipped model's export): a fully masked padding
# row stays finite instead of NaN.
MASK_VALUE = -1e9


@dataclass
class LlamaConfig:
    vocab_size: int = 4096
    hidden_size: int = 128
    intermediate_size: int = 344
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 256
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-6
    attention_bias: bool = False
    tie_word_embeddings: bool = False

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotary(position_ids, head_dim, theta):
    """cos and sin [B, 1, T, head_dim] for position_ids [B, T]."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = position_ids.unsqueeze(-1).float() * inv_freq
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        h, kv, d = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, h * d, bias=cfg.attention_bias)
        self.k_proj = nn.Linear(cfg.hidden_size, kv * d, bias=cfg.attention_bias)
        self.v_proj = nn.Linear(cfg.hidden_size, kv * d, bias=cfg.attention_bias)
        self.o_proj = nn.Linear(h * d, cfg.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        cfg = self.cfg
        b, t = x.shape[0], x.shape[1]
        d = cfg.head_dim
        q = self.q_proj(x).view(b, t, cfg.num_attention_heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        rep = cfg.num_attention_heads // cfg.num_key_value_heads
        s = k.shape[2]
        # transformers' repeat_kv: query head h reads k/v head h // rep.
        kk = k.unsqueeze(2).expand(b, cfg.num_key_value_heads, rep, s, d).reshape(b, cfg.num_attention_heads, s, d)
        vv = v.unsqueeze(2).expand(b, cfg.num_key_value_heads, rep, s, d).reshape(b, cfg.num_attention_heads, s, d)
        att = torch.softmax((q @ kk.transpose(-2, -1)) / math.sqrt(d) + bias, dim=-1)
        y = (att @ vv).transpose(1, 2).reshape(b, t, cfg.num_attention_heads * d)
        return self.o_proj(y), k, v


class MLP(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class Body(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class LlamaForCausalLM(nn.Module):
    """Llama when attention_bias is False; Qwen2 with attention_bias and tie_word_embeddings."""

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        self.model = Body(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.apply(self._init)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def decode(self, input_ids, position_ids, bias, past=None):
        """input_ids, position_ids [B,T]; bias additive [B,1,T,P+T]; past [k0, v0, k1, ...] or None ->
        (logits [B,T,V], presents)."""
        x = self.model.embed_tokens(input_ids)
        cos, sin = rotary(position_ids, self.cfg.head_dim, self.cfg.rope_theta)
        presents = []
        for i, layer in enumerate(self.model.layers):
            pk, pv = (past[2 * i], past[2 * i + 1]) if past is not None else (None, None)
            x, k, v = layer(x, cos, sin, bias, pk, pv)
            presents += [k, v]
        return self.lm_head(self.model.norm(x)), presents

    def forward(self, idx):
        """Training / scoring without padding or cache: idx [B,T] -> logits [B,T,V]."""
        t = idx.shape[1]
        pos = torch.arange(t).unsqueeze(0).expand(idx.shape[0], t)
        causal = torch.full((t, t), MASK_VALUE).triu(1)
        return self.decode(idx, pos, causal)[0]

    def num_params(self):
        return sum(p.numel() for p in self.parameters())
