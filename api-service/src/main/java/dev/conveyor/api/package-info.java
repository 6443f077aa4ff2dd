/**
 * The Conveyor API service: report submission and status, artifacts, live updates (SSE), the signed
 * worker-callback receiver and admin endpoints. Packaged by feature ({@code report}, {@code
 * artifact}, {@code storage}, {@code stream}, {@code callback}, {@code admin}, {@code auth}), with
 * {@code web} holding the HTTP plumbing every feature shares (problem details, size limits). Types
 * are package-private unless another feature needs them.
 */
@NullMarked
package dev.conveyor.api;

import org.jspecify.annotations.NullMarked;
