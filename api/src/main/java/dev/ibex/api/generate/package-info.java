/**
 * Running models: full-sequence forward passes ({@link dev.ibex.api.generate.Forward}), and generation with a
 * preallocated KV cache — one batched prefill of the prompts, then one token per step — with Hugging Face's
 * sampling semantics ({@link dev.ibex.api.generate.Sampler}), stop conditions and streaming.
 */
package dev.ibex.api.generate;
