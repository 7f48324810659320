/**
 * Falcon ({@code FalconForCausalLM}, legacy {@code RWForCausalLM}): the 7B layout (multi-query: one shared K/V
 * head, one LayerNorm, attention and MLP in parallel), the 40B/180B layout ({@code new_decoder_architecture}:
 * {@code num_kv_heads} groups, {@code ln_attn}/{@code ln_mlp}), and the sequential RW layout; the fused
 * {@code query_key_value} is split exactly as transformers' {@code _split_heads} does for each layout
 * ({@link dev.ibex.arch.falcon.FusedQkv}). Rotary models only: ALiBi checkpoints are rejected with a message.
 */
package dev.ibex.arch.falcon;
