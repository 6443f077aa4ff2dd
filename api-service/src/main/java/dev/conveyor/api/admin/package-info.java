/**
 * Operator endpoints under {@code /api/admin} (admin keys only): queue counts, jobs by state with
 * their errors, retrying a dead job and cancelling a job, all through queue-core's {@code
 * JobQueue}; and the audit of registry imports ({@code registry_imports}, written by the worker in
 * each voterImport's own transaction). Creating API keys is in {@code auth}.
 */
@NullMarked
package dev.conveyor.api.admin;

import org.jspecify.annotations.NullMarked;
