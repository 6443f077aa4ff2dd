-- voterImport: the file's rejected records (line, reason, the fields as read), kept out of memory
-- until the summary, which lists them after the counts.
-- Lock: none (session-private table, dropped at commit).
CREATE TEMPORARY TABLE import_rejects (
    line   bigint NOT NULL,
    reason text   NOT NULL,
    c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text,
    c11 text, c12 text, c13 text, c14 text, c15 text
) ON COMMIT DROP
