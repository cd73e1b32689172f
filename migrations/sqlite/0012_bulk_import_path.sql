-- the statement import's write path (spec 8: 1,000,000 lines in under 30 s).
--
-- 1. the tables an import writes in bulk (journal entries and lines, statement lines, unidentified funds) check
--    their foreign keys at commit instead of at each statement. a multi-row insert that could abort midway makes
--    sqlite copy every page it touches to a statement journal first; with these keys deferred and the import's
--    `insert or fail`, none can, and each page is written once. a broken key still refuses the whole transaction,
--    at its commit. chuzhi runs its migrations with foreign keys off (a table rebuild needs it) and checks every
--    key after them (`store::migrate_sqlite`).
-- 2. a statement line without a bank reference is identified by the first 128 bits of its fields' sha-256
--    (`h:` and 32 hex digits) instead of all 256 (`sha256:` and 64): the identity is in two unique indexes an
--    import inserts into at random, and half the key is half the pages. 128 bits keep accidental collisions out of
--    reach (about 2^64 lines before one is likely). identities stored before are shortened the same way, so
--    importing an old file again still recognises every line.

create table ledger_entries_new (
    id integer primary key autoincrement,
    court_id integer not null references courts (id) deferrable initially deferred,
    kind text not null,
    memo text not null,
    source text not null,
    posted_on text not null,
    posted_at text not null,
    audit_seq integer not null,
    unique (court_id, source)
);
insert into ledger_entries_new (id, court_id, kind, memo, source, posted_on, posted_at, audit_seq)
    select id, court_id, kind, memo, source, posted_on, posted_at, audit_seq from ledger_entries;
drop table ledger_entries;
alter table ledger_entries_new rename to ledger_entries;
create index ledger_entries_in_transit on ledger_entries (court_id) where kind = 'receipt_in_transit';

create table ledger_lines_new (
    entry_id integer not null references ledger_entries (id) deferrable initially deferred,
    line_no integer not null,
    court_id integer not null references courts (id) deferrable initially deferred,
    account text not null,
    case_id integer references cases (id) deferrable initially deferred,
    debit_fen integer not null check (debit_fen >= 0),
    credit_fen integer not null check (credit_fen >= 0),
    check (debit_fen > 0 or credit_fen > 0),
    primary key (entry_id, line_no)
) without rowid;
insert into ledger_lines_new (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen)
    select entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen from ledger_lines;
drop table ledger_lines;
alter table ledger_lines_new rename to ledger_lines;
create index ledger_lines_account on ledger_lines (court_id, account);

create table statement_lines_new (
    id integer primary key autoincrement,
    court_id integer not null references courts (id) deferrable initially deferred,
    bank_account text not null,
    bank_reference text not null,
    import_id integer not null references statement_imports (id) deferrable initially deferred,
    line_number integer not null,
    booking_date text not null,
    amount_fen integer not null check (amount_fen > 0),
    direction text not null check (direction in ('credit', 'debit')),
    counterparty_name text not null,
    counterparty_account text not null,
    remittance text not null,
    match_kind text not null check (match_kind in ('collection_account', 'case_number', 'suspense', 'debit')),
    case_id integer references cases (id) deferrable initially deferred,
    entry_id integer references ledger_entries (id) deferrable initially deferred,
    unique (court_id, bank_account, bank_reference)
);
insert into statement_lines_new (id, court_id, bank_account, bank_reference, import_id, line_number, booking_date, amount_fen,
                                 direction, counterparty_name, counterparty_account, remittance, match_kind, case_id, entry_id)
    select id, court_id, bank_account, bank_reference, import_id, line_number, booking_date, amount_fen,
           direction, counterparty_name, counterparty_account, remittance, match_kind, case_id, entry_id
    from statement_lines;
drop table statement_lines;
alter table statement_lines_new rename to statement_lines;
create index statement_lines_date on statement_lines (court_id, bank_account, booking_date);
create index statement_lines_entry on statement_lines (entry_id) where entry_id is not null;

create table suspense_items_new (
    id integer primary key autoincrement,
    court_id integer not null references courts (id) deferrable initially deferred,
    statement_line_id integer not null unique references statement_lines (id) deferrable initially deferred,
    amount_fen integer not null check (amount_fen > 0),
    arrived_on text not null,
    claim_due_on text not null,
    status text not null check (status in ('open', 'claim_requested', 'claimed')),
    claim_case_id integer references cases (id) deferrable initially deferred,
    claim_requested_by text,
    claim_reason text,
    approved_by text,
    claimed_at text,
    entry_id integer references ledger_entries (id) deferrable initially deferred
);
insert into suspense_items_new (id, court_id, statement_line_id, amount_fen, arrived_on, claim_due_on, status, claim_case_id,
                                claim_requested_by, claim_reason, approved_by, claimed_at, entry_id)
    select id, court_id, statement_line_id, amount_fen, arrived_on, claim_due_on, status, claim_case_id,
           claim_requested_by, claim_reason, approved_by, claimed_at, entry_id
    from suspense_items;
drop table suspense_items;
alter table suspense_items_new rename to suspense_items;
create index suspense_open on suspense_items (court_id, arrived_on) where status <> 'claimed';
create index suspense_claim_due on suspense_items (claim_due_on) where status <> 'claimed';

-- hashed identities: `sha256:` and 64 hex digits become `h:` and the first 32, in the statement lines and in the
-- sources of the entries they posted (`receipt:<case>:<identity>`, `statement:<bank>:<identity>`).
update statement_lines set bank_reference = 'h:' || substr(bank_reference, 8, 32)
    where bank_reference glob 'sha256:*' and length(bank_reference) = 71;
update ledger_entries
    set source = substr(source, 1, length(source) - 71) || 'h:' || substr(source, length(source) - 63, 32)
    where length(source) > 71 and substr(source, length(source) - 71, 8) = ':sha256:';
-- a cash deposit finance recorded by a line's identity (fund-2) must still name that line.
update cash_receipts set deposit_reference = 'h:' || substr(deposit_reference, 8, 32)
    where deposit_reference glob 'sha256:*' and length(deposit_reference) = 71;
