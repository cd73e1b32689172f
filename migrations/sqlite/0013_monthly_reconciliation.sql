-- fund-2: the execution bureau reconciles with finance every month. the monthly job records each court bank
-- account's reconciliation of the month just ended once (its figures as the reconciliation showed them), and
-- tells finance and the supervisors through the outbox; a month that does not reconcile is flagged there.
create table monthly_reconciliations (
    court_id integer not null references courts (id),
    bank_account text not null,
    month text not null,
    ok boolean not null,
    statement_balance_fen integer not null,
    ledger_balance_fen integer not null,
    difference_fen integer not null,
    unmatched_statement_lines integer not null,
    unmatched_ledger_entries integer not null,
    audit_seq integer not null,
    recorded_at text not null,
    primary key (court_id, bank_account, month)
);
