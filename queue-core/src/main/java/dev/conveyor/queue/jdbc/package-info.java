/**
 * The queue's SQL. Every statement is a file beside {@link dev.conveyor.queue.jdbc.JobRepository},
 * named after the method that runs it, loaded once when the class loads (a missing file fails at
 * start, not at first use) and run through {@code JdbcClient} with named parameters.
 */
@NullMarked
package dev.conveyor.queue.jdbc;

import org.jspecify.annotations.NullMarked;
