/**
 * Training data: readers that turn dataset files (Alpaca/Dolly, Guanaco text, chat messages/ShareGPT, pre-tokenized
 * JSONL) into {@link dev.ibex.api.data.Example}s, streaming line by line. Malformed records are reported with file
 * and line, and skipped with a summary or made fatal by the {@code on_error} option; none is dropped silently.
 */
package dev.ibex.api.data;
