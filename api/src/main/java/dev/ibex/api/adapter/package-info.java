/**
 * LoRA adapters in the PEFT format ({@code adapter_config.json} + {@code adapter_model.safetensors} with PEFT's
 * key names), so adapters move both ways between Ibex and the Python stack; and merging them into base weights.
 */
package dev.ibex.api.adapter;
