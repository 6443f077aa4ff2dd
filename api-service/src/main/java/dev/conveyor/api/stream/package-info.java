/**
 * Live report updates over Server-Sent Events. Every change of a report row sends NOTIFY {@code
 * conveyor_report} (a trigger, in the changing transaction); each API instance LISTENs on one
 * dedicated connection ({@link ReportChangeListener}) and pushes the new state to its own
 * subscribers ({@link ReportStreams}), so any replica serves any stream.
 */
@NullMarked
package dev.conveyor.api.stream;

import org.jspecify.annotations.NullMarked;
