-- the execution-fund ledger (一案一账号, fund-1…fund-12, src/ledger): double-entry, append-only, integer fen.

-- a journal entry. ids are given by chuzhi (max + 1 under the audit head's lock) so a bulk import needs no
-- `returning`. `source` says what it records (a statement line, a payout, a disposal event) and is unique per
-- court, so a retried import or command posts nothing twice (spec 3.6).
create table ledger_entries (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    kind text not null,
    memo text not null,
    source text not null,
    posted_on text not null,
    posted_at text not null,
    audit_seq integer not null,
    unique (court_id, source)
);

-- the lines of an entry: each moves money on one account; an entry's debits equal its credits (fund-2).
create table ledger_lines (
    entry_id integer not null references ledger_entries (id),
    line_no integer not null,
    court_id integer not null references courts (id),
    account text not null,
    case_id integer references cases (id),
    debit_fen integer not null check (debit_fen >= 0),
    credit_fen integer not null check (credit_fen >= 0),
    check (debit_fen > 0 or credit_fen > 0),
    primary key (entry_id, line_no)
);
create index ledger_lines_account on ledger_lines (court_id, account);
create index ledger_lines_case on ledger_lines (case_id) where case_id is not null;

-- the running balance of each account, in its normal direction. a case's accounts never go negative (fund-2): the
-- core checks before writing, and this constraint refuses it again.
create table ledger_balances (
    court_id integer not null references courts (id),
    account text not null,
    case_id integer references cases (id),
    balance_fen integer not null,
    check (case_id is null or balance_fen >= 0),
    primary key (court_id, account)
);
create index ledger_balances_case on ledger_balances (case_id) where case_id is not null;

-- one import of a bank statement file (csv, mt940, camt.053).
create table statement_imports (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    bank_account text not null,
    format text not null,
    file_sha256 text not null,
    statement_date text,
    opening_balance_fen integer,
    closing_balance_fen integer,
    lines_total integer not null,
    lines_new integer not null,
    imported_at text not null,
    imported_by text not null
);

-- a bank statement line, once per bank reference whatever the number of imports (fund-1, fund-3). ids are given
-- by chuzhi, as for ledger entries.
-- match_kind: collection_account, case_number, suspense (不明款), debit (money out, matched to payouts).
create table statement_lines (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    bank_account text not null,
    bank_reference text not null,
    import_id integer not null references statement_imports (id),
    line_number integer not null,
    booking_date text not null,
    amount_fen integer not null check (amount_fen > 0),
    direction text not null check (direction in ('credit', 'debit')),
    counterparty_name text not null,
    counterparty_account text not null,
    remittance text not null,
    match_kind text not null check (match_kind in ('collection_account', 'case_number', 'suspense', 'debit')),
    case_id integer references cases (id),
    entry_id integer references ledger_entries (id),
    unique (court_id, bank_account, bank_reference)
);
create index statement_lines_date on statement_lines (court_id, bank_account, booking_date);

-- unidentified funds (不明款, fund-3): held in suspense with a claim deadline and an age until claimed with approval.
create table suspense_items (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    statement_line_id integer not null unique references statement_lines (id),
    amount_fen integer not null check (amount_fen > 0),
    arrived_on text not null,
    claim_due_on text not null,
    status text not null check (status in ('open', 'claim_requested', 'claimed')),
    claim_case_id integer references cases (id),
    claim_requested_by text,
    claim_reason text,
    approved_by text,
    claimed_at text,
    entry_id integer references ledger_entries (id)
);
create index suspense_open on suspense_items (court_id, arrived_on) where status <> 'claimed';
