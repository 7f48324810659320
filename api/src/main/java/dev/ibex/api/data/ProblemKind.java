package dev.ibex.api.data;

/** Why a dataset record was rejected; a load report counts skipped records per kind. */
public enum ProblemKind {
    INVALID_JSON("invalid JSON"),
    NOT_AN_OBJECT("not a JSON object"),
    MISSING_FIELD("a missing field"),
    WRONG_TYPE("a field of the wrong type"),
    EMPTY_OUTPUT("nothing to train on"),
    UNKNOWN_ROLE("an unknown role"),
    MALFORMED_TEXT("malformed conversation text"),
    INVALID_TOKENS("invalid token data");

    private final String description;

    ProblemKind(String description) {
        this.description = description;
    }

    /** How a summary line names the kind: "skipped 3 records with {description}". */
    public String description() {
        return description;
    }
}
