/**
 * Bounded storage: what each client may store and how long anything is kept. {@link ClientStorage}
 * checks a client's storage quota (bytes of its uploads and report files, counted in the database
 * by a trigger) and its upload rate, both across API replicas; {@code RetentionSweeper} deletes
 * unused uploads, expired report files and expired reports in short batches, one replica at a time.
 */
@NullMarked
package dev.conveyor.api.storage;

import org.jspecify.annotations.NullMarked;
