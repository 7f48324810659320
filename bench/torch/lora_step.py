"""The LoRA training step Ibex's TrainVsTorch benchmark times, in plain PyTorch (no transformers, no peft):
a LLaMA-shaped decoder (RMSNorm, rotary attention, SwiGLU) with frozen F32 weights, LoRA (r=8, alpha=16) on q_proj
and v_proj, cross-entropy over every next token, AdamW on the adapters. Prints one JSON line:
{"tokens_per_second": ..., "step_seconds": [...], "loss": ...}.

Usage: /usr/bin/python3 lora_step.py HIDDEN LAYERS HEADS INTERMEDIATE VOCAB BATCH SEQ STEPS WARMUP THREADS
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

hidden, layers, heads, inter, vocab, batch, seq, steps, warmup, threads = (int(a) for a in sys.argv[1:11])
torch.set_num_threads(threads)
torch.manual_seed(0)
hd = hidden // heads
std = 0.02


def frozen(*shape):
    return (torch.randn(*shape) * std).requires_grad_(False)


class Lora(torch.nn.Module):
    def __init__(self, w, r=8, alpha=16):
        super().__init__()
        self.w = w
        self.a = torch.nn.Parameter(torch.empty(r, w.shape[1]).uniform_(-1 / math.sqrt(w.shape[1]), 1 / math.sqrt(w.shape[1])))
        self.b = torch.nn.Parameter(torch.zeros(w.shape[0], r))
        self.scale = alpha / r

    def forward(self, x):
        return x @ self.w.T + (x @ self.a.T @ self.b.T) * self.scale


def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
emb = torch.cat([torch.outer(torch.arange(seq).float(), inv)] * 2, -1)
cos, sin = emb.cos(), emb.sin()


def rope(x):
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


embed = frozen(vocab, hidden)
blocks = []
adapters = torch.nn.ModuleList()
for _ in range(layers):
    q, v = Lora(frozen(hidden, hidden)), Lora(frozen(hidden, hidden))
    adapters.extend([q, v])
    blocks.append(dict(n1=torch.ones(hidden), q=q, k=frozen(hidden, hidden), v=v, o=frozen(hidden, hidden),
                       n2=torch.ones(hidden), g=frozen(inter, hidden), u=frozen(inter, hidden), d=frozen(hidden, inter)))
norm = torch.ones(hidden)
head = frozen(vocab, hidden)
mask = torch.full((seq, seq), float("-inf")).triu(1)


def forward(ids):
    x = embed[ids]
    for b in blocks:
        n = rms(x, b["n1"])
        q = rope(b["q"](n).view(batch, seq, heads, hd).transpose(1, 2))
        k = rope((n @ b["k"].T).view(batch, seq, heads, hd).transpose(1, 2))
        v = b["v"](n).view(batch, seq, heads, hd).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, -1)
        x = x + (att @ v).transpose(1, 2).reshape(batch, seq, hidden) @ b["o"].T
        n = rms(x, b["n2"])
        x = x + (F.silu(n @ b["g"].T) * (n @ b["u"].T)) @ b["d"].T
    return rms(x, norm) @ head.T


opt = torch.optim.AdamW(adapters.parameters(), lr=1e-3)
ids = torch.randint(0, vocab, (batch, seq))
times = []
loss = None
for step in range(warmup + steps):
    t = time.perf_counter()
    logits = forward(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
    loss.backward()
    opt.step()
    opt.zero_grad()
    if step >= warmup:
        times.append(time.perf_counter() - t)
print(json.dumps({"tokens_per_second": batch * seq * len(times) / sum(times), "step_seconds": times,
                  "loss": loss.item(), "torch": torch.__version__, "threads": torch.get_num_threads()}))
