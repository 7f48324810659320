package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns one JSON record of a dataset format into an example. */
interface RecordReader {

    /**
     * @param record   a JSON object
     * @param location {@code file:line}, for the example
     * @throws RecordProblem when the record does not fit the format
     */
    Example read(JsonNode record, String location) throws RecordProblem;
}
