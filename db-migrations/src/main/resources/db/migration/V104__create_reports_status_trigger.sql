-- A report's status never moves backwards, whoever writes the row: the API applying worker
-- events, an operator in psql, or a future service. The API checks this in Java too (to answer
-- {applied: false, reason}), but the database is the last word.
--
-- Allowed: staying put, PENDING -> PROCESSING, and PENDING or PROCESSING -> any terminal status.
-- A terminal status is final, and a report's identity (owner, type, format, parameters, job)
-- never changes.
CREATE FUNCTION reports_status_forward() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
           OR (OLD.status = 'PROCESSING' AND NEW.status = 'PENDING') THEN
            RAISE EXCEPTION 'report % status cannot move from % to %', OLD.id, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reports_status_forward';
        END IF;
    END IF;
    IF (NEW.owner_id, NEW.type, NEW.format, NEW.parameters, NEW.job_id)
       IS DISTINCT FROM (OLD.owner_id, OLD.type, OLD.format, OLD.parameters, OLD.job_id) THEN
        RAISE EXCEPTION 'report % identity columns are immutable', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reports_identity_immutable';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER reports_status_forward
    BEFORE UPDATE ON reports
    FOR EACH ROW
    EXECUTE FUNCTION reports_status_forward();
