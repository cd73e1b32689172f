-- reconciliation names the statement line of each bank movement in the journal (fund-2, fund-10): found by the
-- entry it posted. without an index every movement read the whole statement table (quadratic at a million lines).
-- entries are numbered in posting order, so the import appends to this index at its end.
create index statement_lines_entry on statement_lines (entry_id) where entry_id is not null;
