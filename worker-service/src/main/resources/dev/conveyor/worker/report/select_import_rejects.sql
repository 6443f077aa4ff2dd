-- voterImport: the rejected records for the summary, in file order, through a cursor.
-- Lock: none (temporary table). Index: none (a sort of the rejects only).
SELECT line, reason, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15
FROM import_rejects
ORDER BY line
