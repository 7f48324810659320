package dev.ibex.spi.chat;

/**
 * A piece of rendered prompt text.
 *
 * @param text      the text
 * @param trainable whether its tokens are trained on (assistant replies) rather than masked with -100
 */
public record Segment(String text, boolean trainable) {
}
