-- the journal is append-only (spec 3 item 5, issue 5): a posted entry and its lines are never changed or removed,
-- a correction is an entry of its own. chuzhi never updates or deletes them; the database refuses it as well, so
-- no hand-made repair can rewrite the books silently. (a migration that must rewrite them drops these first.)
create function ledger_append_only() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: post a correcting entry instead', tg_table_name;
end
$$;
create trigger ledger_entries_append_only before update or delete on ledger_entries
    for each row execute function ledger_append_only();
create trigger ledger_lines_append_only before update or delete on ledger_lines
    for each row execute function ledger_append_only();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
    for each statement execute function ledger_append_only();
create trigger ledger_lines_no_truncate before truncate on ledger_lines
    for each statement execute function ledger_append_only();
