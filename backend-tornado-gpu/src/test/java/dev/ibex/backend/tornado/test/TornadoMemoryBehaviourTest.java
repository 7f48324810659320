package dev.ibex.backend.tornado.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the conformance kit does not pin down about device memory: the heaps are finite (the tests run with a
 * 256 MiB F32 heap), so scopes and the Cleaner must really give memory back, reused memory must be zeroed again,
 * running out must say which property to raise, and an upload is a copy on the device, not a view of host memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TornadoMemoryBehaviourTest {
    /** 100 MiB of F32: three of them do not fit the tests' 256 MiB heap at once. */
    private static final Shape HUNDRED_MIB = Shape.of(25L << 20);
    private Backend backend;

    @BeforeAll
    void open() {
        backend = TornadoTestBackend.create();
    }

    @AfterAll
    void close() {
        backend.close();
    }

    @Test
    void closedScopesGiveTheirMemoryBack() {
        for (int i = 0; i < 10; i++) {
            try (AllocationScope scope = backend.openScope()) {
                backend.allocate(DType.F32, HUNDRED_MIB);
                backend.allocate(DType.F32, HUNDRED_MIB);
            }
        }
    }

    @Test
    void unreachableTensorsOutsideScopesAreReleased() {
        for (int i = 0; i < 10; i++) {
            Tensor t = backend.allocate(DType.F32, HUNDRED_MIB);
            assertTrue(t.numel() > 0);
        }
    }

    @Test
    void reusedMemoryIsZeroedAgain() {
        Shape shape = Shape.of(1000, 37);
        try (AllocationScope scope = backend.openScope()) {
            backend.fill(backend.allocate(DType.F32, shape), 7f);
        }
        try (AllocationScope scope = backend.openScope()) {
            assertArrayEquals(new float[37_000], backend.toFloats(backend.allocate(DType.F32, shape)));
        }
    }

    @Test
    void aFullHeapNamesThePropertyToRaise() {
        IbexException e = assertThrows(IbexException.class, () -> backend.allocate(DType.F32, Shape.of(80L << 20)));
        assertTrue(e.getMessage().contains("F32 device heap is full") && e.getMessage().contains("ibex.tornado.f32Heap"),
                e.getMessage());
    }

    @Test
    void anUploadIsACopyOnTheDevice() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(4 * 5, 64);
            for (int i = 0; i < 5; i++) {
                bytes.setAtIndex(ValueLayout.JAVA_FLOAT, i, i + 1);
            }
            Tensor t = backend.upload(HostTensor.view(DType.F32, Shape.of(5), bytes));
            bytes.fill((byte) 0);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5}, backend.toFloats(t));
        }
    }
}
