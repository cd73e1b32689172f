-- payouts (执行款发放, fund-4…fund-8) and distribution plans (分配方案, fund-9…fund-12): each lifecycle as json, as
-- src/ledger keeps it, and every event. the money they move is in the journal (0007), posted in the same transaction.

-- one payout to one payee. amount and payee are copied out of the state for lists and reports; the state decides.
create table payouts (
    id bigint generated always as identity primary key,
    court_id bigint not null references courts (id),
    case_id bigint not null references cases (id),
    amount_fen bigint not null check (amount_fen > 0),
    payee text not null,
    -- the serialized lifecycle; the events below replay to it. empty only inside the transaction that requests it.
    state text not null,
    stage text not null,
    version integer not null,
    requested_by text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index payouts_case on payouts (case_id);

-- every command of a payout, with what the core decided (its outcomes) and the audit event that records it.
create table payout_events (
    id bigint generated always as identity primary key,
    payout_id bigint not null references payouts (id),
    version integer not null,
    on_date date not null,
    command text not null,
    outcomes text not null,
    audit_seq bigint not null,
    unique (payout_id, version)
);

-- the distribution plan of a case's proceeds: one per case (fund-12).
create table distribution_plans (
    case_id bigint primary key references cases (id),
    court_id bigint not null references courts (id),
    state text not null,
    stage text not null,
    version integer not null,
    updated_at timestamptz not null
);

create table distribution_plan_events (
    id bigint generated always as identity primary key,
    case_id bigint not null references cases (id),
    version integer not null,
    on_date date not null,
    command text not null,
    outcomes text not null,
    audit_seq bigint not null,
    unique (case_id, version)
);

-- the ledger's nodes belong to a case, not an asset: the lifecycles address them by case and key.
create index nodes_case_key on nodes (case_id, node_key) where asset_id is null and node_key is not null;
