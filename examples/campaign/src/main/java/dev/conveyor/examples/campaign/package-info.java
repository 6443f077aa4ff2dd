/**
 * An application that sends campaigns of messages through the Conveyor queue.
 *
 * <ul>
 *   <li>{@link dev.conveyor.examples.campaign.Campaigns} starts a campaign: its row, one message
 *       row per recipient and one send job per message, in one transaction;
 *   <li>{@link dev.conveyor.examples.campaign.SendMessageHandler} sends one message to the message
 *       endpoint, and pauses the whole queue when the endpoint says to wait (429, FLOOD_WAIT);
 *   <li>{@link dev.conveyor.examples.campaign.QueueSetup} gives the messages queue its cluster-wide
 *       limits (a rate, one message at a time per recipient) and declares the recurring cleanup
 *       that {@link dev.conveyor.examples.campaign.CleanupHandler} runs.
 * </ul>
 */
@NullMarked
package dev.conveyor.examples.campaign;

import org.jspecify.annotations.NullMarked;
