/**
 * Who is calling: API keys (created once, stored only as a SHA-256 hash), Spring Security's filter
 * chains that turn {@code Authorization: Bearer <key>} into a {@link Caller} on {@code /api/**} and
 * an admin key's form sign-in into a console session on {@code /console/**} ({@link
 * SecurityConfiguration}), the bootstrap key for local use and the {@code create-api-key} command.
 */
@NullMarked
package dev.conveyor.api.auth;

import org.jspecify.annotations.NullMarked;
