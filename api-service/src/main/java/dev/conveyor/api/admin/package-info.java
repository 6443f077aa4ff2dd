/**
 * Operator endpoints under {@code /api/admin} (admin keys only): queue counts, jobs by state with
 * their errors, retrying a dead job and cancelling a job, all through queue-core's {@code
 * JobQueue}.
 */
@NullMarked
package dev.conveyor.api.admin;

import org.jspecify.annotations.NullMarked;
