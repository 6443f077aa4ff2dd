-- Live updates (SSE) across API replicas: every change of a report's status, progress or
-- cancellation request sends NOTIFY conveyor_report with the report id, from a trigger, so it is
-- part of the very transaction that changes the row (delivered at commit, dropped on rollback)
-- no matter who writes it. Each API instance LISTENs on one dedicated connection and pushes
-- the new state to its own subscribers.
--
-- The payload is the id only (a hint, like the queue's NOTIFY): listeners read the row, so a
-- notification can never carry stale or oversized data. Inserts do not notify: nobody can be
-- subscribed to a report before it exists.
CREATE FUNCTION reports_notify_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF (NEW.status, NEW.progress, NEW.cancel_requested_at)
       IS DISTINCT FROM (OLD.status, OLD.progress, OLD.cancel_requested_at) THEN
        PERFORM pg_notify('conveyor_report', NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reports_notify_change
    AFTER UPDATE ON reports
    FOR EACH ROW
    EXECUTE FUNCTION reports_notify_change();
