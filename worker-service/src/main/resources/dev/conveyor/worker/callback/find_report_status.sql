-- A report's status, read when a callback about it could not be delivered: once the report is
-- final (the API applied another event, or settled it from the database), the callback can no
-- longer change it and its delivery stops. No row: the report is gone (nothing left to settle).
-- Lock: none. Index: reports_pkey.
SELECT status FROM reports WHERE id = :id
