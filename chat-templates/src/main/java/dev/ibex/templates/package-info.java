/**
 * Chat templates. A template class holds the prompt wording; how its text becomes ids and labels lives in one class
 * per reference recipe ({@code AlpacaLoraEncoding}, {@code QloraEncoding}, {@code AxolotlEncoding}), because users'
 * expectations of the training mask come from those recipes.
 */
package dev.ibex.templates;
