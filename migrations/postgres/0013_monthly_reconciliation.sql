-- fund-2: the execution bureau reconciles with finance every month. the monthly job records each court bank
-- account's reconciliation of the month just ended once (its figures as the reconciliation showed them), and
-- tells finance and the supervisors through the outbox; a month that does not reconcile is flagged there.
create table monthly_reconciliations (
    court_id bigint not null references courts (id),
    bank_account text not null,
    month text not null,
    ok boolean not null,
    statement_balance_fen bigint not null,
    ledger_balance_fen bigint not null,
    difference_fen bigint not null,
    unmatched_statement_lines bigint not null,
    unmatched_ledger_entries bigint not null,
    audit_seq bigint not null,
    recorded_at timestamptz not null,
    primary key (court_id, bank_account, month)
);
