/**
 * OPT ({@code OPTForCausalLM}): learned positions with offset 2 computed from the attention mask, pre-LN and
 * post-LN (opt-350m) layers, {@code word_embed_proj_dim} ≠ {@code hidden_size} via project_in/project_out, ReLU
 * feed-forward, queries scaled before the score matmul, head tied to the token embedding. Checkpoints with and
 * without the {@code model.} prefix load.
 */
package dev.ibex.arch.opt;
