-- the journal is append-only (spec 3 item 5, issue 5): a posted entry and its lines are never changed or removed,
-- a correction is an entry of its own. chuzhi never updates or deletes them; the database refuses it as well, so
-- no hand-made repair can rewrite the books silently. (a migration that must rewrite them drops these first.)
create trigger ledger_entries_append_only_update before update on ledger_entries
begin select raise(abort, 'ledger_entries is append-only: post a correcting entry instead'); end;
create trigger ledger_entries_append_only_delete before delete on ledger_entries
begin select raise(abort, 'ledger_entries is append-only: post a correcting entry instead'); end;
create trigger ledger_lines_append_only_update before update on ledger_lines
begin select raise(abort, 'ledger_lines is append-only: post a correcting entry instead'); end;
create trigger ledger_lines_append_only_delete before delete on ledger_lines
begin select raise(abort, 'ledger_lines is append-only: post a correcting entry instead'); end;
