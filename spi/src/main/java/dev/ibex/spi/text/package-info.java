/** The tokenizer as plugins see it; the implementations (BPE from {@code tokenizer.json}) live in the core. */
package dev.ibex.spi.text;
