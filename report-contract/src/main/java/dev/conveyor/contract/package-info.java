/**
 * The contract between api-service and worker-service, written once: the worker's events about a
 * report ({@link ReportEvent}, the body of {@code POST /internal/report-events}), their Standard
 * Webhooks signatures ({@link WebhookSigner} on the sending side, {@link WebhookVerifier} on the
 * receiving side, pinned by one golden vector), the redacted {@link Secret} type both services'
 * properties hold, and {@link SqlFiles}, which loads the SQL files kept beside each repository.
 *
 * <p>Plain Java and Jackson annotations only: no Spring, so it can be used by either service, or by
 * a test or another sender, without pulling in a framework.
 */
@NullMarked
package dev.conveyor.contract;

import org.jspecify.annotations.NullMarked;
