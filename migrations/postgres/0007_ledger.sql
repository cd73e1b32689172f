-- the execution-fund ledger (一案一账号, fund-1…fund-12, src/ledger): double-entry, append-only, integer fen.

-- a journal entry. `source` says what it records (a statement line, a payout, a disposal event) and is unique per
-- court, so a retried import or command posts nothing twice (spec 3.6).
create table ledger_entries (
    id bigint generated always as identity primary key,
    court_id bigint not null references courts (id),
    kind text not null,
    memo text not null,
    source text not null,
    posted_on date not null,
    posted_at timestamptz not null,
    audit_seq bigint not null,
    unique (court_id, source)
);

-- the lines of an entry: each moves money on one account; an entry's debits equal its credits (fund-2).
create table ledger_lines (
    entry_id bigint not null references ledger_entries (id),
    line_no integer not null,
    court_id bigint not null references courts (id),
    account text not null,
    case_id bigint references cases (id),
    debit_fen bigint not null check (debit_fen >= 0),
    credit_fen bigint not null check (credit_fen >= 0),
    check (debit_fen > 0 or credit_fen > 0),
    primary key (entry_id, line_no)
);
create index ledger_lines_account on ledger_lines (court_id, account);
create index ledger_lines_case on ledger_lines (case_id) where case_id is not null;

-- the running balance of each account, in its normal direction. a case's accounts never go negative (fund-2): the
-- core checks before writing, and this constraint refuses it again.
create table ledger_balances (
    court_id bigint not null references courts (id),
    account text not null,
    case_id bigint references cases (id),
    balance_fen bigint not null,
    check (case_id is null or balance_fen >= 0),
    primary key (court_id, account)
);
create index ledger_balances_case on ledger_balances (case_id) where case_id is not null;

-- one import of a bank statement file (csv, mt940, camt.053).
create table statement_imports (
    id bigint generated always as identity primary key,
    court_id bigint not null references courts (id),
    bank_account text not null,
    format text not null,
    file_sha256 text not null,
    statement_date date,
    opening_balance_fen bigint,
    closing_balance_fen bigint,
    lines_total integer not null,
    lines_new integer not null,
    imported_at timestamptz not null,
    imported_by text not null
);

-- a bank statement line, once per bank reference whatever the number of imports (fund-1, fund-3).
-- match_kind: collection_account, case_number, suspense (不明款), debit (money out, matched to payouts).
create table statement_lines (
    id bigint generated always as identity primary key,
    court_id bigint not null references courts (id),
    bank_account text not null,
    bank_reference text not null,
    import_id bigint not null references statement_imports (id),
    line_number integer not null,
    booking_date date not null,
    amount_fen bigint not null check (amount_fen > 0),
    direction text not null check (direction in ('credit', 'debit')),
    counterparty_name text not null,
    counterparty_account text not null,
    remittance text not null,
    match_kind text not null check (match_kind in ('collection_account', 'case_number', 'suspense', 'debit')),
    case_id bigint references cases (id),
    entry_id bigint references ledger_entries (id),
    unique (court_id, bank_account, bank_reference)
);
create index statement_lines_date on statement_lines (court_id, bank_account, booking_date);

-- unidentified funds (不明款, fund-3): held in suspense with a claim deadline and an age until claimed with approval.
create table suspense_items (
    id bigint generated always as identity primary key,
    court_id bigint not null references courts (id),
    statement_line_id bigint not null unique references statement_lines (id),
    amount_fen bigint not null check (amount_fen > 0),
    arrived_on date not null,
    claim_due_on date not null,
    status text not null check (status in ('open', 'claim_requested', 'claimed')),
    claim_case_id bigint references cases (id),
    claim_requested_by text,
    claim_reason text,
    approved_by text,
    claimed_at timestamptz,
    entry_id bigint references ledger_entries (id)
);
create index suspense_open on suspense_items (court_id, arrived_on) where status <> 'claimed';
