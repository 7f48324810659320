/**
 * Checkpoint files: the safetensors format (read by memory-mapping the file and wrapping it in Arrow buffers
 * without a copy; written atomically in the layout the Python {@code safetensors} library writes), sharded
 * checkpoints ({@code model.safetensors.index.json}), and strict validation of hostile or corrupt headers.
 */
package dev.ibex.api.io;
