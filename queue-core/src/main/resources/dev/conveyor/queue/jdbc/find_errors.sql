-- find_errors: the recorded errors of one job, oldest first. Locks: none. Index: queue_job_pkey.
SELECT CAST(e->>'attempt' AS int) AS attempt,
       CAST(e->>'at' AS timestamptz) AS at,
       e->>'error' AS error,
       e->>'class' AS error_class
FROM conveyor.queue_job j, jsonb_array_elements(j.errors) WITH ORDINALITY AS x(e, n)
WHERE j.id = :id
ORDER BY n
