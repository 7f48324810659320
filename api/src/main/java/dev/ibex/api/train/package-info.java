/**
 * Training: LoRA, QLoRA and full fine-tuning of a loaded model. The {@link dev.ibex.api.train.Trainer} runs
 * micro-batches through the SPI's autograd graph, accumulates gradients, clips them by global norm, steps AdamW
 * (exactly {@code torch.optim.AdamW}) or SGD under a Hugging Face learning-rate schedule, evaluates, logs, and
 * writes checkpoints atomically so a killed run resumes on the same loss curve.
 */
package dev.ibex.api.train;
