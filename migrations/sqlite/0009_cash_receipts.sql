-- cash receipts (现金收款, fund-2): cash collected by at least two officers, with a receipt and a written record, handed
-- to finance on the day of their return to court or, with an explanation, the next. the money is in the journal
-- (0007): a receipt_in_transit entry credits the case when the cash is recorded (source 'cash:<receipt number>'), and
-- the statement line of finance's deposit clears it (clear_in_transit, or clear_in_transit_from_case when that line
-- was imported before finance named it).

create table cash_receipts (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    case_id integer not null references cases (id),
    -- the number of the receipt given to the payer; one receipt, one record, per court.
    receipt_number text not null,
    amount_fen integer not null check (amount_fen > 0),
    -- a json array of the officers' names, at least two different ones (checked by src/ledger/cash.rs).
    officers text not null,
    payer text not null,
    collected_on text not null,
    returned_on text not null,
    handed_over_on text not null,
    -- the last lawful day of the handover (one day after the return, rolled past rest days, per-1).
    handover_due_on text not null,
    handover_timing text not null check (handover_timing in ('same_day', 'next_day', 'late')),
    explanation text,
    recorded_by text not null,
    recorded_at text not null,
    entry_id integer not null references ledger_entries (id),
    -- the handover limit, recorded as a node met on the handover day; a late one is alerted to the supervisors.
    node_id integer references nodes (id),
    stage text not null check (stage in ('awaiting_deposit', 'deposited', 'cleared')),
    -- finance's deposit: the bank's reference, by which the statement line is recognised.
    deposit_reference text,
    deposited_on text,
    deposit_recorded_by text,
    statement_line_id integer references statement_lines (id),
    cleared_entry_id integer references ledger_entries (id),
    cleared_on text,
    -- fund-2: a handover after the return day is explained.
    check (handover_timing = 'same_day' or explanation is not null),
    unique (court_id, receipt_number),
    unique (court_id, deposit_reference)
);
create index cash_receipts_case on cash_receipts (case_id);
create index cash_receipts_deposited on cash_receipts (court_id) where stage = 'deposited';

-- the daily digest counts unidentified funds past their claim deadline (fund-3).
create index suspense_claim_due on suspense_items (claim_due_on) where status <> 'claimed';
