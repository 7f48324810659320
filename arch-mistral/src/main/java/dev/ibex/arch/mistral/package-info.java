/**
 * Mistral ({@code MistralForCausalLM}): the LLaMA layout with grouped-query attention and a sliding window
 * ({@code sliding_window}: a query sees itself and the previous W−1 keys, in prefill and in cached decoding, as
 * transformers v4.36's eager attention does; the KV cache keeps every key). Wired by the SPI's shared
 * {@link dev.ibex.spi.arch.LlamaStyle} with Mistral's defaults.
 */
package dev.ibex.arch.mistral;
