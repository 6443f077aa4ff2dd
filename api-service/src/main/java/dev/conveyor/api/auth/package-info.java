/**
 * Who is calling: API keys (created once, stored only as a SHA-256 hash), the bearer filter that
 * turns {@code Authorization: Bearer <key>} into a {@link Caller}, the bootstrap key for local use
 * and the {@code create-api-key} command.
 */
@NullMarked
package dev.conveyor.api.auth;

import org.jspecify.annotations.NullMarked;
