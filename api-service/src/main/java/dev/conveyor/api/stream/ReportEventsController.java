package dev.conveyor.api.stream;

import dev.conveyor.api.auth.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code GET /api/reports/{id}/events}: the report's changes as Server-Sent Events. */
@RestController
class ReportEventsController {

  private final ReportStreams streams;

  ReportEventsController(ReportStreams streams) {
    this.streams = streams;
  }

  @Operation(
      summary =
          "Live updates: a `report` event with the current state, one per change, the last on a"
              + " final status; comment lines as heartbeats")
  @GetMapping(path = "/api/reports/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(@Parameter(hidden = true) Caller caller, @PathVariable UUID id) {
    return streams.subscribe(caller, id);
  }
}
