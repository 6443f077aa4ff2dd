-- Whether any voter is registered; the generator refuses, skips or replaces a registry that has.
-- Lock: none. Index: any (stops at the first row).
SELECT EXISTS (SELECT 1 FROM voters)
