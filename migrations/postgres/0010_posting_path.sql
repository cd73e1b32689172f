-- the posting path in fewer round trips (spec 8: durable postings against the raw commit rate).

-- the audit head follows the last event written: the insert moves it, so appending an event is one statement.
create function audit_events_move_head() returns trigger language plpgsql as $$
begin
    update audit_head set hash = new.hash where id = 1;
    return null;
end;
$$;
create trigger audit_events_move_head after insert on audit_events
    for each row execute function audit_events_move_head();

-- receipts the disposal side credited while the money is in transit: each statement import looks them up, so the
-- lookup must not read the whole journal (it did, once per 50,000 lines).
create index ledger_entries_in_transit on ledger_entries (court_id) where kind = 'receipt_in_transit';

-- nothing looks journal lines up by case (a case's accounts are keyed by it): one index fewer to write per line.
drop index ledger_lines_case;
