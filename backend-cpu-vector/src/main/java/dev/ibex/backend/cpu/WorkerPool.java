package dev.ibex.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads for kernels, sized to the cores: the caller publishes a job of {@code chunks}
 * pieces, every thread (the caller included) takes pieces until none are left, and the caller waits for the
 * last one. Workers spin briefly before parking, so the back-to-back kernels of a decode step do not pay a
 * wake-up each. Never the common pool: kernels must not compete with application tasks.
 */
final class WorkerPool implements AutoCloseable {
    /** A range body: process chunk {@code index} of the job. */
    @FunctionalInterface
    interface Chunk {
        void run(int index);
    }

    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicReference<Job> current = new AtomicReference<>();
    private volatile boolean closed;

    private static final class Job {
        final Chunk body;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(Chunk body, int chunks) {
            this.body = body;
            this.chunks = chunks;
        }

        /** Takes and runs chunks until none are left. */
        void work() {
            int i;
            while ((i = next.getAndIncrement()) < chunks) {
                try {
                    if (error == null) {
                        body.run(i);
                    }
                } catch (Throwable t) {
                    error = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("ibex-cpu-" + (i + 1)).unstarted(this::loop);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    /** Runs {@code body} for chunks {@code 0..chunks-1}, in parallel, and returns when all are done. */
    void run(int chunks, Chunk body) {
        if (chunks <= 0) {
            return;
        }
        if (chunks == 1 || workers.length == 0 || IN_WORKER.get()) {
            for (int i = 0; i < chunks; i++) {
                body.run(i);
            }
            return;
        }
        Job job = new Job(body, chunks);
        current.set(job);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        IN_WORKER.set(true);
        try {
            job.work();
        } finally {
            IN_WORKER.set(false);
        }
        while (job.done.get() < chunks) {
            Thread.onSpinWait();
        }
        current.compareAndSet(job, null);
        Throwable error = job.error;
        if (error instanceof RuntimeException re) {
            throw re;
        }
        if (error instanceof Error e) {
            throw e;
        }
        if (error != null) {
            throw new IllegalStateException(error);
        }
    }

    /**
     * Splits {@code [0, n)} into at most one chunk per thread (each at least {@code grain} long) and runs
     * {@code body(from, to)} on each.
     */
    void range(int n, int grain, RangeBody body) {
        int chunks = Math.max(1, Math.min(threads, n / Math.max(1, grain)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        run(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private void loop() {
        IN_WORKER.set(true);
        Job last = null;
        while (!closed) {
            Job job = current.get();
            if (job != null && job != last) {
                last = job;
                job.work();
                continue;
            }
            // Idle: wait for the published job to change, spinning first, then parked.
            long start = System.nanoTime();
            while (current.get() == job && !closed && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
            if (current.get() == job && !closed) {
                LockSupport.parkNanos(this, 10_000_000L);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
