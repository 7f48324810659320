package dev.ibex.api.data;

/** One training record read from a dataset file. */
public sealed interface Example permits ChatExample, TokenizedExample, TextExample {

    /** Where the record came from, {@code file:line}, for messages about it later (e.g. from a template). */
    String location();
}
