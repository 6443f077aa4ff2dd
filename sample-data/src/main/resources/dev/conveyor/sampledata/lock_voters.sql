-- Keeps other writers out of the registry while it is checked and loaded: two generators started
-- at once would otherwise both find it empty. Self-conflicting, so the second waits and then sees
-- the first one's voters. Readers are not blocked.
-- Lock: SHARE ROW EXCLUSIVE on voters until commit.
LOCK TABLE voters IN SHARE ROW EXCLUSIVE MODE
