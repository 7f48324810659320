package dev.ibex.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.Availability;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the runtime picks a backend: the available one with the highest priority, or the named one; and the one-line
 * notice for each better backend that is installed but unavailable, so a missing GPU is never silent.
 */
class BackendChoiceTest {
    private record Fake(String name, int priority, Availability availability) implements BackendProvider {
        @Override
        public Backend create(BackendOptions options) {
            throw new UnsupportedOperationException("not needed to choose");
        }
    }

    private static final Fake CPU = new Fake("cpu", 10, Availability.yes("2 threads"));
    private static final Fake GPU = new Fake("tornado", 50,
            Availability.no("no device: TornadoVM started but found no OpenCL or CUDA device"));
    private static final Fake SLOW = new Fake("slow", 1, Availability.no("never"));

    private static Plugins of(BackendProvider... backends) {
        return Plugins.of(List.of(), List.of(backends), List.of(), List.of());
    }

    @Test
    void autoFallsBackToTheCpuWithOneNoticePerBetterUnavailableBackend() {
        List<String> notices = new ArrayList<>();
        BackendProvider chosen = of(CPU, GPU, SLOW).backend("auto", notices::add);
        assertEquals("cpu", chosen.name());
        assertEquals(1, notices.size(), notices::toString);
        String notice = notices.getFirst();
        assertTrue(notice.contains("\"tornado\"") && notice.contains("no device") && notice.contains("using \"cpu\""),
                notice);
        assertTrue(!notice.contains("\n"), "one line");
    }

    @Test
    void anAvailableGpuWinsWithoutNotice() {
        Fake gpu = new Fake("tornado", 50, Availability.yes("NVIDIA H100"));
        List<String> notices = new ArrayList<>();
        assertEquals("tornado", of(CPU, gpu).backend(null, notices::add).name());
        assertEquals(List.of(), notices);
    }

    @Test
    void aNamedUnavailableBackendFailsWithItsReason() {
        IbexException e = assertThrows(IbexException.class, () -> of(CPU, GPU).backend("tornado"));
        assertTrue(e.getMessage().contains("no device"), e.getMessage());
    }
}
