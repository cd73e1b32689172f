-- the posting path in fewer round trips (spec 8: durable postings against the raw commit rate).

-- the audit head follows the last event written: the insert moves it, so appending an event is one statement.
create trigger audit_events_move_head after insert on audit_events
begin
    update audit_head set hash = new.hash where id = 1;
end;

-- receipts the disposal side credited while the money is in transit: each statement import looks them up, so the
-- lookup must not read the whole journal (it did, once per 50,000 lines).
create index ledger_entries_in_transit on ledger_entries (court_id) where kind = 'receipt_in_transit';

-- journal lines are found by their entry (the key) and by account; nothing looks them up by case (a case's accounts
-- are keyed by it). keyed by (entry, line) without a rowid, a line is written to one tree and one index instead of
-- one tree and three indexes: each posting and each imported receipt writes fewer pages.
create table ledger_lines_keyed (
    entry_id integer not null references ledger_entries (id),
    line_no integer not null,
    court_id integer not null references courts (id),
    account text not null,
    case_id integer references cases (id),
    debit_fen integer not null check (debit_fen >= 0),
    credit_fen integer not null check (credit_fen >= 0),
    check (debit_fen > 0 or credit_fen > 0),
    primary key (entry_id, line_no)
) without rowid;
insert into ledger_lines_keyed (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen)
    select entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen from ledger_lines;
drop table ledger_lines;
alter table ledger_lines_keyed rename to ledger_lines;
create index ledger_lines_account on ledger_lines (court_id, account);
