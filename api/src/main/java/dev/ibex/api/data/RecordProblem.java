package dev.ibex.api.data;

/** A record that cannot become an example; the loader skips it or fails, as {@code on_error} says. */
final class RecordProblem extends Exception {
    private static final long serialVersionUID = 1L;

    private final ProblemKind kind;

    RecordProblem(ProblemKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    ProblemKind kind() {
        return kind;
    }
}
