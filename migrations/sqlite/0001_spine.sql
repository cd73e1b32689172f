-- the spine: courts, identities, cases, parties, assets, deadline nodes, alerts, outbox and the audit chain.
-- sqlite keeps dates as 'yyyy-mm-dd' text and instants as rfc 3339 text in utc; money is integer fen.

-- a court; its code is the prefix of every collection account number it issues (fund-1).
create table courts (
    id integer primary key autoincrement,
    code text not null unique,
    name text not null,
    next_case_sequence integer not null default 1
);

-- bearer tokens: only the sha-256 of the token is kept.
create table tokens (
    id integer primary key autoincrement,
    token_hash text not null unique,
    user_name text not null,
    court_id integer not null references courts (id),
    role text not null check (role in ('assistant', 'judge', 'finance', 'supervisor', 'admin')),
    created_at text not null,
    revoked_at text
);

-- an execution case (执行案件) with its one collection account (一案一账号, fund-1).
create table cases (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    case_number text not null,
    sequence integer not null,
    collection_account text not null unique,
    filing_date text not null,
    claim_amount_fen integer not null check (claim_amount_fen >= 0),
    created_at text not null,
    unique (court_id, case_number),
    unique (court_id, sequence)
);

-- applicants (申请执行人) with the payout account confirmed at filing, and debtors (被执行人).
create table parties (
    id integer primary key autoincrement,
    case_id integer not null references cases (id),
    role text not null check (role in ('applicant', 'debtor')),
    name text not null,
    identity_number text,
    payout_bank text,
    payout_account_name text,
    payout_account_number text,
    payout_confirmed_on text
);
create index parties_case on parties (case_id);

-- a seized asset (查封、扣押、冻结) with the facts the valuation and disposal steps need.
create table assets (
    id integer primary key autoincrement,
    case_id integer not null references cases (id),
    court_id integer not null references courts (id),
    kind text not null check (kind in ('real_estate', 'movable', 'vehicle', 'equity', 'other_property_right', 'deposit')),
    description text not null,
    seizure_date text not null,
    to_be_sold integer not null,
    has_official_price integer not null,
    needs_onsite_inspection integer not null,
    appraisal_required_by_law integer not null,
    high_value_or_complex integer not null,
    created_at text not null
);
create index assets_case on assets (case_id);

-- a deadline node: one legal time limit on one subject (spec 3.1).
-- next_alert_on is the date of the next alert stage (upcoming, due today, overdue); null when nothing more is due.
-- the sweep reads only rows with next_alert_on <= today through the partial index below.
create table nodes (
    id integer primary key autoincrement,
    court_id integer not null references courts (id),
    case_id integer not null references cases (id),
    asset_id integer references assets (id),
    rule_id text not null,
    title text not null,
    trigger_event text not null,
    trigger_date text not null,
    period text not null,
    due_date text not null,
    remind_on text not null,
    overdue_on text not null,
    lead_working_days integer not null,
    next_alert_on text,
    status text not null check (status in ('pending', 'met', 'overdue', 'paused', 'cancelled')),
    provisional integer not null,
    created_at text not null,
    closed_at text
);
create index nodes_next_alert on nodes (next_alert_on, id) where next_alert_on is not null;
create index nodes_case on nodes (case_id);
create index nodes_court_due on nodes (court_id, due_date);
create index nodes_provisional on nodes (id) where provisional = 1;

-- alerts raised by sweeps; one per node, kind and due date, so a repeated or concurrent sweep raises nothing twice,
-- and a node moved to a new due date (a corrected holiday schedule) is alerted afresh.
create table alerts (
    id integer primary key autoincrement,
    node_id integer not null references nodes (id),
    court_id integer not null references courts (id),
    kind text not null check (kind in ('upcoming', 'due_today', 'overdue')),
    due_date text not null,
    audience text not null check (audience in ('staff', 'supervisors')),
    as_of text not null,
    raised_at text not null,
    sweep_seq integer not null,
    unique (node_id, kind, due_date)
);
create index alerts_court on alerts (court_id, id);
create index alerts_sweep on alerts (sweep_seq);

-- messages for the system that notifies parties and staff; written in the same transaction as the change.
create table outbox (
    id integer primary key autoincrement,
    topic text not null,
    court_id integer references courts (id),
    alert_id integer references alerts (id),
    payload text not null,
    created_at text not null,
    delivered_at text
);
create index outbox_undelivered on outbox (id) where delivered_at is null;

-- the daily digest is sent once per court and day.
create table digests (
    court_id integer not null references courts (id),
    digest_date text not null,
    primary key (court_id, digest_date)
);

-- the append-only, hash-chained audit log (spec 3.4).
create table audit_events (
    seq integer primary key,
    at text not null,
    actor_user text not null,
    actor_role text not null,
    court_id integer,
    action text not null,
    subject text not null,
    outcome text not null check (outcome in ('ok', 'refused')),
    code text,
    rule_id text,
    reason text,
    payload text not null,
    prev_hash text not null,
    hash text not null
);

-- the head of the audit chain. every writing transaction updates this row first, which serialises writers
-- (so the chain never forks) and, on sqlite, takes the write lock before anything is read.
create table audit_head (
    id integer primary key check (id = 1),
    seq integer not null,
    hash text not null
);
insert into audit_head (id, seq, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
