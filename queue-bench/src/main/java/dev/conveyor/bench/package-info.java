/**
 * The queue benchmark: measures queue-core against a real PostgreSQL and prints Markdown (run it
 * with {@code bench/queue-bench.sh}; results in {@code docs/benchmarks.md}). Not a test.
 *
 * <p>{@link dev.conveyor.bench.QueueBenchmark} is the entry point and runs the parts chosen by
 * {@code BenchOptions}: enqueue throughput (one job per transaction, and batched), processing
 * throughput of one {@link dev.conveyor.queue.runtime.WorkerRuntime} at several concurrencies, the
 * cost of queue limits, and pickup latency, for which {@link dev.conveyor.bench.LatencyProducer}
 * enqueues from a separate JVM and, if asked, {@code NotifyProbe} notes when each NOTIFY arrives.
 * {@code BenchDatabase} holds the benchmark's own pools and housekeeping (every run empties the
 * queue table), and {@code ProcCpu} measures the CPU time of this JVM and of a local PostgreSQL, to
 * show which side was busy.
 *
 * <p>{@link dev.conveyor.bench.SideBySide} is the Conveyor side of {@code bench/side-by-side.sh}:
 * one step (load, drain, latency, enqueue) per JVM, so that every measurement is a fresh process,
 * compared with Graphile Worker on the same database.
 */
package dev.conveyor.bench;
