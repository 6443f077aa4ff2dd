/**
 * Spring Boot auto-configuration of the queue, the only package of queue-core that uses Spring
 * Boot; registered in {@code META-INF/spring/...AutoConfiguration.imports}.
 *
 * <p>An application with a {@link javax.sql.DataSource} gets a {@link dev.conveyor.queue.JobQueue}
 * to enqueue with. If it also has {@link dev.conveyor.queue.JobHandler} beans, it gets a {@link
 * dev.conveyor.queue.runtime.WorkerRuntime} that runs them, started and stopped with the
 * application context, and a {@link dev.conveyor.queue.autoconfigure.WorkerHealthIndicator}. The
 * same split as db-scheduler's {@code SchedulerClient} and {@code Scheduler}: an API service only
 * enqueues, a worker service also runs.
 *
 * <p>Settings: {@link dev.conveyor.queue.autoconfigure.QueueProperties} ({@code conveyor.queue.*}:
 * LISTEN connection, lease, retry, rescuer, pruner, metrics) and {@link
 * dev.conveyor.queue.autoconfigure.WorkerProperties} ({@code conveyor.worker.*}: id, queues and
 * their concurrency, fetching, shutdown). Unset settings take the defaults of the core config
 * records, which also validate them.
 *
 * <pre>
 * conveyor.worker.queues.reports=4
 * conveyor.worker.queues.callbacks=16
 * conveyor.queue.lease.duration=45s
 * conveyor.db.direct-url=jdbc:postgresql://db-direct:5432/app   # when the pool goes through PgBouncer
 * </pre>
 */
@NullMarked
package dev.conveyor.queue.autoconfigure;

import org.jspecify.annotations.NullMarked;
