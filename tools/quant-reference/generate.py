#!/usr/bin/python3
"""Independent reference fixtures for Ibex's NF4/FP4 and LLM.int8 quantizers.

Implements the published bitsandbytes algorithms with numpy (torch only for torch.linspace, which
bitsandbytes' create_dynamic_map calls), written from the algorithm's description (../../../shared/SPEC.md
sections 5 and 6, bitsandbytes' functional.py / backends/default/ops.py / csrc/kernels.cu) and not from Ibex's
Java code. Writes small fixtures that the Java tests of quant-nf4 and quant-int8 compare against.

Run with Debian's interpreter (python3-numpy, python3-torch):  /usr/bin/python3 tools/quant-reference/generate.py
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
NF4_OUT = os.path.join(ROOT, "quant-nf4", "src", "test", "resources", "fixtures")
INT8_OUT = os.path.join(ROOT, "quant-int8", "src", "test", "resources", "fixtures")

f32 = np.float32

# ---------------------------------------------------------------- code tables

# NF4 (QLoRA paper, appendix; bitsandbytes get_4bit_type("nf4")), as float32.
NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0], dtype=f32)

# FP4 E2M1 with sign in bit 3, in bit-pattern order, normalised by its largest magnitude (12).
FP4 = (np.array([0, 0.0625, 8, 12, 4, 6, 2, 3, -0.0, -0.0625, -8, -12, -4, -6, -2, -3], dtype=f32) / f32(12))

# The thresholds of bitsandbytes' CUDA decision tree dQuantizeNF4 (csrc/kernels.cu): a cross-check that
# "nearest code, ties to the lower one" is the rule the kernels apply.
CUDA_NF4_PIVOTS = [-0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
                   -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
                   0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
                   0.5016634166240692, 0.6427869200706482, 0.8614784181118011]


def dynamic_map():
    """create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8): 256 sorted float32 values."""
    data = []
    for e in range(7):
        items = 2 ** e + 1
        bounds = torch.linspace(0.1, 1, items, dtype=torch.float32).numpy()
        means = ((bounds[:-1] + bounds[1:]) / f32(2)).astype(f32)
        scale = f32(10.0 ** (e - 6))
        data += list((scale * means).astype(f32))
        data += list((-scale * means).astype(f32))
    data += [f32(0), f32(1)]
    assert len(data) == 256
    return np.sort(np.array(data, dtype=f32))


def midpoints(sorted_table):
    """Decision points between neighbours, computed in float32 as (code[:-1] + code[1:]) / 2."""
    return ((sorted_table[:-1] + sorted_table[1:]) / f32(2)).astype(f32)


def nearest(mid, x):
    """Index of the nearest sorted value: the number of decision points strictly below x (torch.bucketize)."""
    return np.searchsorted(mid, x, side="left")


# ---------------------------------------------------------------- blockwise quantization

def block_scales(flat, blocksize):
    """Per-block absmax and the scaled values clamped to [-1, 1] (multiplying by the float32 reciprocal)."""
    n = flat.size
    blocks = -(-n // blocksize)
    padded = np.zeros(blocks * blocksize, dtype=f32)
    padded[:n] = flat
    grid = padded.reshape(blocks, blocksize)
    absmax = np.abs(grid).max(axis=1).astype(f32)
    recip = (f32(1) / np.maximum(absmax, f32(1e-38))).astype(f32)
    scaled = np.clip(grid * recip[:, None], f32(-1), f32(1)).astype(f32).reshape(-1)[:n]
    return absmax, scaled


def encode4(scaled, quant_type):
    if quant_type == "nf4":
        return nearest(midpoints(NF4), scaled).astype(np.uint8)
    order = np.argsort(np.abs(FP4[:8]), kind="stable")  # bit patterns by increasing magnitude
    mags = np.abs(FP4[:8])[order]
    bits = order[nearest(midpoints(mags), np.abs(scaled))]
    return (bits | np.where(scaled < 0, 8, 0)).astype(np.uint8)


def pack(codes, pad_code):
    if codes.size % 2:
        codes = np.append(codes, np.uint8(pad_code))
    return ((codes[0::2] << 4) | codes[1::2]).astype(np.uint8)


def quantize_blockwise8(values, table, blocksize):
    absmax, scaled = block_scales(values, blocksize)
    return nearest(midpoints(table), scaled).astype(np.uint8), absmax


def quantize4(weight, quant_type, blocksize=64, double_quant=True):
    flat = weight.astype(f32).reshape(-1)
    absmax, scaled = block_scales(flat, blocksize)
    codes = encode4(scaled, quant_type)
    table = NF4 if quant_type == "nf4" else FP4
    pad_code = encode4(np.zeros(1, dtype=f32), quant_type)[0]
    out = {"packed": pack(codes, pad_code), "absmax": absmax}
    # dequantize: code value times its block's (possibly double-quantized) absmax, in float32
    if double_quant:
        offset = f32(np.mean(absmax, dtype=np.float64))
        dyn = dynamic_map()
        q, nested_absmax = quantize_blockwise8((absmax - offset).astype(f32), dyn, 256)
        recovered = (dyn[q] * np.repeat(nested_absmax, 256)[:absmax.size]).astype(f32) + offset
        out.update(absmax_codes=q, nested_absmax=nested_absmax, offset=offset)
        scales = recovered.astype(f32)
    else:
        scales = absmax
    out["dequantized"] = (table[codes] * np.repeat(scales, blocksize)[:flat.size]).astype(f32)
    return out


# ---------------------------------------------------------------- LLM.int8

def int8_quantize_weight(weight):
    """Int8Params: the weight in float16, then row-wise absmax codes rint(w * (127 / absmax))."""
    wh = weight.astype(np.float16).astype(f32)
    scb = np.abs(wh).max(axis=1).astype(f32)
    factor = np.where(scb > 0, f32(127) / np.where(scb > 0, scb, f32(1)), f32(0)).astype(f32)
    cb = np.rint((wh * factor[:, None]).astype(f32)).astype(np.int8)
    return cb, scb


def int8_linear(x, cb, scb, threshold):
    """The mixed-precision product: outlier features in floating point, the rest int8 x int8 in integers."""
    x = x.astype(f32)
    outlier = (np.abs(x) >= threshold).any(axis=0) if threshold > 0 else np.zeros(x.shape[1], dtype=bool)
    masked = np.where(np.abs(x) >= threshold, f32(0), x) if threshold > 0 else x
    sx = np.abs(masked).max(axis=1).astype(f32)
    factor = np.where(sx > 0, f32(127) / np.where(sx > 0, sx, f32(1)), f32(0)).astype(f32)
    q = np.rint((masked * factor[:, None]).astype(f32)).astype(np.int64)
    q[:, outlier] = 0
    dot = q @ cb.astype(np.int64).T
    y = dot.astype(np.float64) * sx[:, None].astype(np.float64) * scb[None, :].astype(np.float64) / (127.0 * 127.0)
    w_hat = ((cb.astype(f32) * scb[:, None]) / f32(127)).astype(f32)
    y += x[:, outlier].astype(np.float64) @ w_hat[:, outlier].T.astype(np.float64)
    return y.astype(f32), outlier


# ---------------------------------------------------------------- fixtures

def write_case(root, name, meta, arrays):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    with open(os.path.join(d, "meta.txt"), "w") as fh:
        for k, v in meta.items():
            fh.write(f"{k} {v}\n")
    for key, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        suffix = {np.dtype(f32): "f32", np.dtype(np.uint8): "u8", np.dtype(np.int8): "i8",
                  np.dtype(np.uint16): "bf16"}[arr.dtype]
        arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(d, f"{key}.{suffix}"))


def to_bf16(values):
    """Round float32 to bfloat16 (nearest even), returning the raw 16-bit patterns and their float32 values."""
    bits = values.astype(f32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return rounded, (rounded.astype(np.uint32) << 16).view(f32)


def nf4_cases(rng):
    # normal weights, bf16 checkpoint, nf4 + double quant; 320 blocks = one full nested block and a partial one;
    # row 5 is all zero (a zero block), and row 6 holds one large outlier
    w = (rng.standard_normal((64, 320)) * 0.02).astype(f32)
    w[5, :] = 0
    w[6, 17] = 0.9
    bits, w = to_bf16(w)
    r = quantize4(w, "nf4", 64, True)
    # the quant state bitsandbytes packs into weight.quant_state.bitsandbytes__nf4 (QuantState.as_dict(packed=True))
    state = json.dumps({"quant_type": "nf4", "blocksize": 64, "dtype": "bfloat16", "shape": [64, 320],
                        "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": float(r["offset"])})
    write_case(NF4_OUT, "normal_bf16_nf4_dq", {"rows": 64, "cols": 320, "type": "nf4", "double_quant": "true",
                                               "offset": repr(float(r["offset"])), "quant_state": state},
               {"weight": bits, "packed": r["packed"], "absmax_codes": r["absmax_codes"],
                "nested_absmax": r["nested_absmax"], "dequantized": r["dequantized"]})
    # heavy-tailed (Student-t, 3 degrees of freedom) f32 weights, nf4 without double quant
    w = (rng.standard_t(3, (40, 192)) * 0.02).astype(f32)
    r = quantize4(w, "nf4", 64, False)
    write_case(NF4_OUT, "student_t_f32_nf4", {"rows": 40, "cols": 192, "type": "nf4", "double_quant": "false"},
               {"weight": w, "packed": r["packed"], "absmax": r["absmax"], "dequantized": r["dequantized"]})
    # the same kind of weights in fp4 with double quant
    w = (rng.standard_t(3, (40, 192)) * 0.02).astype(f32)
    r = quantize4(w, "fp4", 64, True)
    write_case(NF4_OUT, "student_t_f32_fp4_dq", {"rows": 40, "cols": 192, "type": "fp4", "double_quant": "true",
                                                 "offset": repr(float(r["offset"]))},
               {"weight": w, "packed": r["packed"], "absmax_codes": r["absmax_codes"],
                "nested_absmax": r["nested_absmax"], "dequantized": r["dequantized"]})
    # an odd element count: a short last block and a padded last nibble
    w = rng.standard_normal((7, 31)).astype(f32)
    r = quantize4(w, "nf4", 64, True)
    write_case(NF4_OUT, "odd_f32_nf4_dq", {"rows": 7, "cols": 31, "type": "nf4", "double_quant": "true",
                                           "offset": repr(float(r["offset"]))},
               {"weight": w, "packed": r["packed"], "absmax_codes": r["absmax_codes"],
                "nested_absmax": r["nested_absmax"], "dequantized": r["dequantized"]})
    write_case(NF4_OUT, "tables", {}, {"nf4": NF4, "fp4": FP4, "dynamic_map": dynamic_map()})


def int8_cases(rng):
    w = (rng.standard_normal((48, 96)) * 0.05).astype(f32)
    w[3, 7] = 1.5  # a row dominated by one large weight
    w[9, :] = 0    # an all-zero row: SCB 0, codes 0
    x = rng.standard_normal((5, 96)).astype(f32)
    x[0, 3] = 8.5     # outlier features: any row reaching the threshold makes its column an outlier
    x[2, 40] = -11.0
    x[1, 70] = 6.0    # exactly the threshold counts (|x| >= threshold)
    x[4, :] = 0       # a row with nothing but outliers: its int8 scale is 0
    x[4, 3] = 7.0
    cb, scb = int8_quantize_weight(w)
    y6, outlier = int8_linear(x, cb, scb, 6.0)
    y0, _ = int8_linear(x, cb, scb, 0.0)
    write_case(INT8_OUT, "llm_int8", {"rows": 48, "cols": 96, "m": 5,
                                      "outlier_columns": ",".join(str(c) for c in np.nonzero(outlier)[0])},
               {"weight": w, "x": x, "cb": cb, "scb": scb, "y_threshold6": y6, "y_threshold0": y0})


def main():
    assert np.max(np.abs(midpoints(NF4).astype(np.float64) - np.array(CUDA_NF4_PIVOTS))) < 1e-7
    rng = np.random.RandomState(20240607)
    nf4_cases(rng)
    int8_cases(rng)
    print("fixtures written to", NF4_OUT, "and", INT8_OUT)


if __name__ == "__main__":
    main()
