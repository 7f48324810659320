package dev.ibex.api.data;

import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import java.util.List;

/** The rule every conversation format shares: something to train on, i.e. at least one reply and no empty one. */
final class Replies {
    private Replies() {
    }

    /** @param what how the format calls a reply, for the message ("assistant message") */
    static void check(List<Message> turns, String what) throws RecordProblem {
        int n = 0;
        for (Message m : turns) {
            if (m.role() == Role.ASSISTANT) {
                n++;
                if (m.content().isBlank()) {
                    throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, what + " " + n + " is empty");
                }
            }
        }
        if (n == 0) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "no " + what);
        }
    }
}
