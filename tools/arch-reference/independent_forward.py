# ---------------------------------------------------------------------------------------------------------------
# Provenance: copied from the golden files' generator, /work/shared/golden/_generator/independent_forward.py
# (reference material given to the Ibex project by the authors of the golden files; not written by Ibex). It is a
# from-scratch plain-torch forward pass that reproduces transformers v4.36.2's logits bit-for-bit on the golden
# models (see app/src/test/resources/golden/README.md §6 and check_golden.py here).
#
# Extensions for Ibex's tools/arch-reference are marked "# [archref]"; everything else is the original text, apart
# from the command-line check at the bottom, now under `if __name__ == "__main__":` so the module can be imported.
# The extensions follow transformers v4.36.2 (modeling_llama / modeling_mistral / modeling_opt / modeling_falcon,
# modeling_attn_mask_utils) and SPEC §1:
#   * position ids as an argument ([T] or [B, T]), for batch generation (cumsum(mask) - 1, padding at 1);
#   * LLaMA rope_scaling {"type": "linear"} (positions divided by the factor before the outer product with inv_freq,
#     as LlamaLinearScalingRotaryEmbedding), tie_word_embeddings (lm_head = embed_tokens), attention_bias (the
#     biases are applied by `lin` whenever they are in the state dict);
#   * OPT with an attention mask (positions cumsum(mask)*mask - 1, + 2; padded keys masked; OPTAttention clamps the
#     masked scores at finfo.min), post-LN layers (do_layer_norm_before = false: LN after each residual add, and no
#     final norm), project_in / project_out when word_embed_proj_dim != hidden_size, _remove_final_layer_norm,
#     enable_bias = false, layer_norm_elementwise_affine = false, activation_function "gelu";
#   * Falcon with an attention mask, the RW layout (multi_query = false, new_decoder_architecture = false: fused
#     QKV viewed as [heads, 3, head_dim]), sequential blocks (parallel_attn = false: post_attention_layernorm),
#     bias = true (applied by `lin`), rope_scaling linear, untied heads.
# Masks follow AttentionMaskConverter in 4.36.2: every hidden entry is exactly finfo(fp32).min (masked_fill, never
# added twice), so a query that sees no key at all (a left-padding query) gets equal scores everywhere and averages
# all the values of its row, future ones included.
# ---------------------------------------------------------------------------------------------------------------
"""From-scratch forward passes (plain torch ops, no transformers/peft code) written from the conventions in
the set README, checked against the stored logits (usage: independent_forward.py specs_<set>). Confirms that the README's description of every
architecture (and of LoRA application) is complete and correct.
"""
import json
import math
import os
import importlib
import sys

# [archref] One BLAS thread, or matmuls round differently: set before torch loads its BLAS (the golden generator's
# env.sh sets OMP_NUM_THREADS=1; torch.set_num_threads alone does not reach every BLAS build).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_independent import read_safetensors  # noqa: E402

NEG = torch.finfo(torch.float32).min


def load(d, extra_lora=None):
    cfg = json.load(open(os.path.join(d, "config_full.json")))
    _, sd = read_safetensors(os.path.join(d, "model.safetensors"))
    W = {k: torch.from_numpy(np.array(v)) for k, v in sd.items()}
    if extra_lora:  # apply adapter: W += (alpha/r) * B @ A  (PEFT key prefix 'base_model.model.')
        ldir = extra_lora
        acfg = json.load(open(os.path.join(ldir, "adapter_config.json")))
        _, ad = read_safetensors(os.path.join(ldir, "adapter_model.safetensors"))
        for k in ad:
            if k.endswith("lora_A.weight"):
                mod = k[len("base_model.model."):-len(".lora_A.weight")]
                A = torch.from_numpy(np.array(ad[k]))
                B = torch.from_numpy(np.array(ad[k.replace("lora_A", "lora_B")]))
                W[mod + ".weight"] = W[mod + ".weight"] + (B @ A) * (acfg["lora_alpha"] / acfg["r"])  # plain LoRA scaling (no rslora in peft 0.7.1)
    return cfg, W


def rope(x, pos, theta, position_scale=1.0):
    d = x.shape[-1]
    inv = 1.0 / (theta ** (torch.arange(0, d, 2).float() / d))
    # [archref] linear rope_scaling: HF builds its cos/sin cache from t = arange(n).float() / factor, then indexes
    # it with the position ids; computing the same t for the given positions gives the same values.
    t = pos.float()
    if position_scale != 1.0:
        t = t / position_scale
    # [archref] positions may be [T] (shared) or [B, T] (per row); torch.outer is one multiply per element too.
    fr = t[..., :, None] * inv
    emb = torch.cat([fr, fr], -1)
    cos, sin = emb.cos(), emb.sin()
    if cos.dim() == 3:  # [archref] [B, T, d] -> [B, 1, T, d] against x [B, H, T, d]
        cos, sin = cos[:, None], sin[:, None]
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def mask(T, window=None, attn=None):
    """[B or 1, 1, T, T] additive mask: causal, optional sliding window, optional key padding (attn: [B, T] of 0/1)."""
    q = torch.arange(T)[:, None]
    k = torch.arange(T)[None, :]
    ok = (k <= q)[None, None]
    if window is not None:
        ok = ok & (k > q - window)[None, None]
    if attn is not None:
        ok = ok & attn.bool()[:, None, None, :]
    return torch.where(ok, torch.tensor(0.0), torch.tensor(NEG))


def attend(q, k, v, m, scale=True, clamp=False):
    # q [B,H,T,d], k/v [B,H,T,d]
    s = q @ k.transpose(-1, -2)
    if scale:
        s = s / math.sqrt(q.shape[-1])
    s = s + m
    if clamp:  # [archref] OPTAttention: torch.max(attn_weights + mask, finfo.min)
        s = torch.max(s, torch.tensor(NEG))
    p = torch.softmax(s, dim=-1)
    return p @ v


def lin(x, W, name, bias=True):
    y = x @ W[name + ".weight"].T
    if bias and (name + ".bias") in W:
        y = y + W[name + ".bias"]
    return y


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_position_scale(cfg):
    """[archref] The linear rope_scaling factor (1.0 without scaling); other kinds are not modelled here."""
    s = cfg.get("rope_scaling")
    if s is None:
        return 1.0
    if s["type"] != "linear":
        raise NotImplementedError("rope_scaling " + json.dumps(s))
    return float(s["factor"])


def llama_like(cfg, W, ids, attn=None, pos=None):
    B, T = ids.shape
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["hidden_size"]
    d = D // H
    if pos is None:  # [archref] LlamaModel/MistralModel: arange(T) when no position_ids are given, mask or not
        pos = torch.arange(T)
    scale = rope_position_scale(cfg)  # [archref]
    m = mask(T, cfg.get("sliding_window"), attn)
    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        n = rms(x, W[p + "input_layernorm.weight"], cfg["rms_norm_eps"])
        q = lin(n, W, p + "self_attn.q_proj").view(B, T, H, d).transpose(1, 2)
        k = lin(n, W, p + "self_attn.k_proj").view(B, T, KV, d).transpose(1, 2)
        v = lin(n, W, p + "self_attn.v_proj").view(B, T, KV, d).transpose(1, 2)
        q, k = rope(q, pos, cfg["rope_theta"], scale), rope(k, pos, cfg["rope_theta"], scale)
        k = k.repeat_interleave(H // KV, dim=1)  # head h uses kv head h // (H/KV)
        v = v.repeat_interleave(H // KV, dim=1)
        a = attend(q, k, v, m).transpose(1, 2).reshape(B, T, D)
        x = x + lin(a, W, p + "self_attn.o_proj")
        n = rms(x, W[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        x = x + lin(F.silu(lin(n, W, p + "mlp.gate_proj")) * lin(n, W, p + "mlp.up_proj"), W, p + "mlp.down_proj")
    x = rms(x, W["model.norm.weight"], cfg["rms_norm_eps"])
    # [archref] tie_word_embeddings: HF ties lm_head to embed_tokens (save_pretrained then stores no lm_head.weight)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    return x @ head.T


def ln(x, W, name, eps):
    # [archref] .get: OPT with layer_norm_elementwise_affine = false has LayerNorms without weight and bias
    return F.layer_norm(x, (x.shape[-1],), W.get(name + ".weight"), W.get(name + ".bias"), eps)


def opt(cfg, W, ids, attn=None, pos=None):
    # [archref] attention mask, post-LN, project_in/out and _remove_final_layer_norm (the original asserted the
    # compact set's pre-LN, no-projection, unpadded case). `pos` is ignored: OPT derives positions from the mask.
    # enable_bias = false and layer_norm_elementwise_affine = false leave those tensors out of the state dict, and
    # `lin` / `ln` then apply none. activation_function: ACT2FN's "relu" or "gelu" (exact erf).
    act = {"relu": F.relu, "gelu": F.gelu}[cfg.get("activation_function", "relu")]
    B, T = ids.shape
    H, D = cfg["num_attention_heads"], cfg["hidden_size"]
    d = D // H
    pre_ln = cfg["do_layer_norm_before"]
    if attn is None:  # OPTDecoder: attention_mask = ones when none is given
        attn = torch.ones(B, T, dtype=torch.long)
    m = mask(T, None, attn)
    positions = (torch.cumsum(attn, dim=1) * attn).long() - 1  # OPTLearnedPositionalEmbedding, offset 2 below
    x = W["model.decoder.embed_tokens.weight"][ids]
    if "model.decoder.project_in.weight" in W:  # word_embed_proj_dim != hidden_size
        x = x @ W["model.decoder.project_in.weight"].T
    x = x + W["model.decoder.embed_positions.weight"][positions + 2]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.decoder.layers.{i}."
        n = ln(x, W, p + "self_attn_layer_norm", 1e-5) if pre_ln else x
        q = (lin(n, W, p + "self_attn.q_proj") * d ** -0.5).view(B, T, H, d).transpose(1, 2)
        k = lin(n, W, p + "self_attn.k_proj").view(B, T, H, d).transpose(1, 2)
        v = lin(n, W, p + "self_attn.v_proj").view(B, T, H, d).transpose(1, 2)
        a = attend(q, k, v, m, scale=False, clamp=True).transpose(1, 2).reshape(B, T, D)
        x = x + lin(a, W, p + "self_attn.out_proj")
        if not pre_ln:
            x = ln(x, W, p + "self_attn_layer_norm", 1e-5)
        n = ln(x, W, p + "final_layer_norm", 1e-5) if pre_ln else x
        x = x + lin(act(lin(n, W, p + "fc1")), W, p + "fc2")
        if not pre_ln:
            x = ln(x, W, p + "final_layer_norm", 1e-5)
    if pre_ln and not cfg.get("_remove_final_layer_norm", False):
        x = ln(x, W, "model.decoder.final_layer_norm", 1e-5)
    if "model.decoder.project_out.weight" in W:
        x = x @ W["model.decoder.project_out.weight"].T
    return x @ W["model.decoder.embed_tokens.weight"].T  # tied lm_head


def falcon(cfg, W, ids, attn=None, pos=None):
    B, T = ids.shape
    H, D = cfg["num_attention_heads"], cfg["hidden_size"]
    d = D // H
    eps = cfg["layer_norm_epsilon"]
    assert not cfg.get("alibi", False)  # [archref] rotary layouts only
    if pos is None:  # [archref] FalconModel: arange when no position_ids are given
        pos = torch.arange(T)
    scale = rope_position_scale(cfg)  # [archref]
    m = mask(T, None, attn)
    x = W["transformer.word_embeddings.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"transformer.h.{i}."
        if cfg["new_decoder_architecture"]:
            na, nm = ln(x, W, p + "ln_attn", eps), ln(x, W, p + "ln_mlp", eps)
            KV = cfg["num_kv_heads"]
            qkv = lin(na, W, p + "self_attention.query_key_value").view(B, T, KV, H // KV + 2, d)
            q = qkv[:, :, :, :-2].reshape(B, T, H, d)
            k = qkv[:, :, :, -2]
            v = qkv[:, :, :, -1]
        elif cfg["multi_query"]:
            na = nm = ln(x, W, p + "input_layernorm", eps)
            KV = 1  # multi_query: config num_kv_heads is ignored
            qkv = lin(na, W, p + "self_attention.query_key_value").view(B, T, H + 2, d)
            q, k, v = qkv[:, :, :H], qkv[:, :, H:H + 1], qkv[:, :, H + 1:H + 2]
        else:  # [archref] RW layout: per head [q, k, v] interleaved (FalconAttention._split_heads, view [H, 3, d])
            na = nm = ln(x, W, p + "input_layernorm", eps)
            KV = H
            qkv = lin(na, W, p + "self_attention.query_key_value").view(B, T, H, 3, d)
            q, k, v = qkv[:, :, :, 0], qkv[:, :, :, 1], qkv[:, :, :, 2]
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        q, k = rope(q, pos, cfg["rope_theta"], scale), rope(k, pos, cfg["rope_theta"], scale)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        a = attend(q, k, v, m).transpose(1, 2).reshape(B, T, D)
        attn_out = lin(a, W, p + "self_attention.dense")
        if cfg["new_decoder_architecture"] or cfg["parallel_attn"]:
            mlp_out = lin(F.gelu(lin(nm, W, p + "mlp.dense_h_to_4h")), W, p + "mlp.dense_4h_to_h")
            x = x + (mlp_out + attn_out)
        else:  # [archref] sequential (FalconDecoderLayer with parallel_attn = false)
            x = x + attn_out
            nm = ln(x, W, p + "post_attention_layernorm", eps)
            x = x + lin(F.gelu(lin(nm, W, p + "mlp.dense_h_to_4h")), W, p + "mlp.dense_4h_to_h")
    x = ln(x, W, "transformer.ln_f", eps)
    # [archref] the head is tied unless tie_word_embeddings is false
    head = W["transformer.word_embeddings.weight"] if cfg.get("tie_word_embeddings", True) else W["lm_head.weight"]
    return x @ head.T


FW = {"llama": llama_like, "mistral": llama_like, "opt": opt, "falcon": falcon}


def T_(a):
    return torch.from_numpy(np.array(a))


if __name__ == "__main__":  # [archref] the original module-level check, unchanged, now only when run as a script
    torch.set_num_threads(1)  # [archref] see the thread variables above
    S = importlib.import_module(sys.argv[1])
    G = S.OUT
    res = {}
    for name in S.BASES:
        d = os.path.join(G, name)
        cfg, W = load(d)
        ids = torch.tensor(json.load(open(os.path.join(d, "input_ids.json")))["input_ids"])
        ref = T_(read_safetensors(os.path.join(d, "logits.safetensors"))[1]["logits"])
        with torch.no_grad():
            out = FW[cfg["model_type"]](cfg, W, ids)
        res[name] = (out - ref).abs().max().item()
    for name, spec in S.LORAS.items():
        d = os.path.join(G, spec["base"])
        ld = os.path.join(G, name)
        cfg, W = load(d, ld)
        ts = json.load(open(os.path.join(ld, "train_step.json")))
        ids = torch.tensor(ts["input_ids"])
        attn = torch.tensor(ts["attention_mask"]) if ts.get("attention_mask") is not None else None
        refl = T_(read_safetensors(os.path.join(ld, "logits_lora.safetensors"))[1]["logits"])
        refm = T_(read_safetensors(os.path.join(ld, "merged_logits.safetensors"))[1]["logits"])
        with torch.no_grad():
            out = FW[cfg["model_type"]](cfg, W, ids, attn)
        res[name + " (merged by hand) vs logits_lora"] = (out - refl).abs().max().item()
        res[name + " (merged by hand) vs merged_logits"] = (out - refm).abs().max().item()
        if attn is not None and os.path.exists(os.path.join(ld, "logits_base.safetensors")):
            cfg, W = load(d)
            refb = T_(read_safetensors(os.path.join(ld, "logits_base.safetensors"))[1]["logits"])
            with torch.no_grad():
                out = FW[cfg["model_type"]](cfg, W, ids, attn)
            res[name + " base with padding mask vs logits_base"] = (out - refb).abs().max().item()
    print(json.dumps(res, indent=1))
    assert all(v < 2e-5 for v in res.values()), res
    out_dir = os.path.join(G, "_generator")  # [archref] the copy in the app's test resources has no _generator/
    if os.path.isdir(out_dir):
        with open(os.path.join(out_dir, "independent_forward_output.json"), "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
