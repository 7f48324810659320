# Provenance: copied (one line added, marked [archref]) from the golden files' generator, /work/shared/golden/_generator/st_independent.py
# (reference material given to the Ibex project by the authors of the golden files; not written by Ibex).
"""Independent safetensors reader (numpy + json only; shares no code with the safetensors package or its shim).

Checks the format strictly: 8-byte little-endian header length N, N bytes of UTF-8 JSON (space padded),
tensors described by {dtype, shape, data_offsets:[begin,end]} relative to the byte after the header,
offsets tiling the data area exactly, row-major little-endian data.
"""
import json

import numpy as np

_NP = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "BF16": "<i2",  # [archref] BF16 read as its raw 16-bit patterns (numpy has no bfloat16)
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    n = int.from_bytes(buf[:8], "little")
    hdr_bytes = buf[8 : 8 + n]
    assert len(hdr_bytes) == n
    header = json.loads(hdr_bytes.decode("utf-8"))
    meta = header.pop("__metadata__", None)
    base = 8 + n
    spans = []
    out = {}
    for name, info in header.items():
        assert set(info) == {"dtype", "shape", "data_offsets"}, info
        b, e = info["data_offsets"]
        dt = np.dtype(_NP[info["dtype"]])
        count = int(np.prod(info["shape"], dtype=np.int64)) if info["shape"] else 1
        assert e - b == count * dt.itemsize, (name, info)
        spans.append((b, e))
        arr = np.frombuffer(buf[base + b : base + e], dtype=dt).reshape(info["shape"])
        out[name] = arr.astype(arr.dtype.newbyteorder("="))
    spans.sort()
    pos = 0
    for b, e in spans:
        assert b == pos, ("gap/overlap in data area", path)
        pos = e
    assert base + pos == len(buf), ("trailing bytes", path)
    return meta, out


def header_of(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(n).decode("utf-8"))
