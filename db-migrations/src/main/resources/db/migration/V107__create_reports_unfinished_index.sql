-- The reports not yet final, for the API's sweep that settles a report whose queue job ended
-- without its worker saying so (ReportSettler): a job discarded by the rescuer after its last
-- attempt's worker died, or cancelled at a shutdown or by an operator. Partial, so it holds only
-- the few reports in flight and costs nothing once a report is final.
CREATE INDEX reports_unfinished_idx ON reports (created_at)
    WHERE status IN ('PENDING', 'PROCESSING');
