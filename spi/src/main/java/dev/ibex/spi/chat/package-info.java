/**
 * Chat templates: how a conversation becomes a prompt for inference, and token ids plus a label mask for
 * training. Registered with {@code provides dev.ibex.spi.chat.ChatTemplateProvider with ...}.
 */
package dev.ibex.spi.chat;
