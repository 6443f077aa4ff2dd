-- The trace context of the operation that enqueued a job (issue 19: one trace per report, across
-- the API, the queue and the worker). The worker's handler span continues it, and a "queue wait"
-- span covers run_at to the claim, so a tracing backend shows the time a job sat in the queue.
--
-- Format: propagation fields as "name: value" lines, as a text-map propagator writes them into
-- HTTP headers, e.g. 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' and
-- optionally a 'tracestate: …' line (W3C Trace Context). Text rather than two columns so that
-- another propagation format (B3, baggage) needs no migration; text rather than jsonb so that
-- queue-core needs no JSON parser to read it back. Null: the enqueue was not traced (tracing off,
-- or no current trace), which costs nothing: a null is not stored in the row's data at all.
--
-- Not indexed: nothing looks jobs up by trace. The claim's RETURNING j.* returns it, and
-- heartbeats and completions do not touch it, so their HOT updates stay HOT.
ALTER TABLE conveyor.queue_job ADD COLUMN trace_context text;
-- Bounded, so a misbehaving producer cannot bloat every row of a queue with a huge header; 4096
-- is far above a traceparent (55 characters) plus the tracestate W3C allows (32 members of at
-- most 256+ characters are rare; propagators truncate past 512).
ALTER TABLE conveyor.queue_job ADD CONSTRAINT queue_job_trace_context_check
    CHECK (trace_context IS NULL OR char_length(trace_context) BETWEEN 1 AND 4096);

-- Code that reads trace_context refuses a database without it (WorkerRuntime.SCHEMA_VERSION).
UPDATE conveyor.queue_schema SET version = 5, applied_at = now();
