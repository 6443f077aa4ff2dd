-- voterImport: one batch of rejected records into their staging table.
-- Lock: none (temporary table). Index: none.
COPY import_rejects (line, reason, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14,
                     c15)
FROM STDIN (FORMAT csv)
