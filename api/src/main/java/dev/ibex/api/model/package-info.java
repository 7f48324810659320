/**
 * Loading models: a Hugging Face model folder ({@link dev.ibex.api.model.ModelFolder}) becomes a
 * {@link dev.ibex.api.model.Model} on a backend. The loader hands the architecture plugin a
 * {@code ModelContext} and decides, weight by weight, what each becomes: frozen as stored (F32/F16/BF16 stay
 * their size), trainable F32 (full fine-tuning), quantized (a quantizer plugin), or wrapped in a LoRA adapter.
 */
package dev.ibex.api.model;
