"""[archref] The golden set as the app's tests carry it, for `python3 independent_forward.py specs_golden`: checks that
the extended reference still reproduces transformers v4.36.2 on the golden models (bit-for-bit on this machine)."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "app", "src", "test", "resources", "golden")
BASES = ["opt", "llama", "mistral", "falcon_7b_style"]
LORAS = {
    "llama_lora": dict(base="llama"),
    "opt_lora": dict(base="opt"),
    "llama_lora_padded": dict(base="llama"),
}
