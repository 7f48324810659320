/**
 * Architecture plugins. An {@link dev.ibex.spi.arch.ArchitectureProvider} claims Hugging Face
 * {@code model_type}/{@code architectures} values, reads {@code config.json} (through {@link dev.ibex.spi.arch.HfConfig}),
 * names its tensors and LoRA targets, and builds a {@link dev.ibex.spi.nn.CausalLM} by asking a
 * {@link dev.ibex.spi.arch.ModelContext} for every weight and linear layer by its Hugging Face name.
 */
package dev.ibex.spi.arch;

import dev.ibex.spi.nn.CausalLM;
