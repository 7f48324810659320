/**
 * YAML runs ({@code ibex train run.yaml}, {@code ibex run run.yaml}): axolotl's key names where they exist,
 * parsed strictly — an unknown key, a wrong type or an impossible value is an error naming the key and its line,
 * with a "did you mean" for typos — into a {@link dev.ibex.api.run.RunConfig}.
 */
package dev.ibex.api.run;
