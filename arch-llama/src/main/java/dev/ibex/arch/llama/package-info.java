/**
 * LLaMA ({@code LlamaForCausalLM}): RMSNorm, rotary attention with grouped-query heads, SwiGLU, untied or tied
 * head, {@code rope_scaling} linear and llama3. The family's wiring is the SPI's shared
 * {@link dev.ibex.spi.arch.LlamaStyle}, which Mistral reuses; this plugin supplies LLaMA's defaults and names.
 */
package dev.ibex.arch.llama;
