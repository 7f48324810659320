/** Plugin discovery: every provider found by {@link java.util.ServiceLoader}, chosen by name or priority. */
package dev.ibex.api.plugin;
