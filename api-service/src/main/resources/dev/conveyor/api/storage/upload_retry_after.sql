-- After a refused upload slot: how many seconds until the client's next upload is allowed
-- (when its theoretical arrival time, moved on by one interval, is no more than a period ahead).
-- Lock: none. Index: client_upload_rate_pkey.
SELECT extract(epoch FROM greatest(tat, now()) + make_interval(secs => :intervalSeconds)
                         - make_interval(secs => :periodSeconds) - now())
FROM client_upload_rate
WHERE client_id = :clientId
