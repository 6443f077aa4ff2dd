/**
 * LISTEN/NOTIFY wake-ups. Notifications are hints (a queue name, a job id to cancel), never data:
 * correctness never depends on their delivery, and workers poll as well.
 */
@NullMarked
package dev.conveyor.queue.notify;

import org.jspecify.annotations.NullMarked;
