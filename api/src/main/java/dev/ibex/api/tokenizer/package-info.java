/**
 * Tokenizers: Hugging Face {@code tokenizer.json} files (byte-level and SentencePiece-style BPE, as LLaMA, Mistral,
 * GPT-2, OPT and Falcon use) read without Python, giving the ids the Rust {@code tokenizers} library gives under
 * transformers. {@link dev.ibex.api.tokenizer.HfTokenizer} loads and encodes;
 * {@link dev.ibex.api.tokenizer.StreamDecoder} turns generated ids into text as they come.
 */
package dev.ibex.api.tokenizer;
