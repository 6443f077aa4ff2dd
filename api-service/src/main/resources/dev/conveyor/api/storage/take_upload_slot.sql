-- Takes one upload of the client's rate (V128, generic cell rate algorithm): moves the client's
-- theoretical arrival time on by :intervalSeconds (period / rate), from now if it lies in the
-- past, unless that would put it more than :periodSeconds ahead of now. Returns a row when the
-- upload may go ahead, none when it is refused (the row is then unchanged). Atomic, so
-- concurrent uploads of one client, on any replica, each take their own slot.
-- Lock: the client's client_upload_rate row, for this statement (it runs outside a transaction).
-- Index: client_upload_rate_pkey.
INSERT INTO client_upload_rate AS r (client_id, tat)
VALUES (:clientId, now() + make_interval(secs => :intervalSeconds))
ON CONFLICT (client_id) DO UPDATE
    SET tat = greatest(r.tat, now()) + make_interval(secs => :intervalSeconds)
    WHERE greatest(r.tat, now()) + make_interval(secs => :intervalSeconds)
          <= now() + make_interval(secs => :periodSeconds)
RETURNING r.tat
