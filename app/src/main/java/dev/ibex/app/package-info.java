/**
 * The {@code ibex} command line (picocli): one subcommand class per command. Errors the user can act on
 * ({@link dev.ibex.spi.IbexException}) print as one line and exit 1; a stack trace only with {@code --verbose}.
 */
package dev.ibex.app;
