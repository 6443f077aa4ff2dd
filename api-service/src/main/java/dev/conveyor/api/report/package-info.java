/**
 * Reports: submission (validated per type, idempotent, one transaction with the queue job), status
 * and listing, cancellation, and the report lifecycle that worker events drive ({@link
 * ReportLifecycle}, fenced on lease tokens, status only forward).
 */
@NullMarked
package dev.conveyor.api.report;

import org.jspecify.annotations.NullMarked;
