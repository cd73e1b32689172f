-- idempotency keys (spec 3.6): a mutating request sent again with the same key gets the first answer back.
-- the row is written in the same transaction as the change it records, so a change and its key stand or fall together.
create table idempotency_keys (
    court_id bigint not null references courts (id),
    user_name text not null,
    idempotency_key text not null,
    -- sha-256 of method, path and body: the same key with other content is refused.
    fingerprint text not null,
    audit_seq bigint not null,
    -- the first answer, stored once the request has finished; null if the process stopped in between.
    status_code integer,
    response_body text,
    created_at timestamptz not null,
    primary key (court_id, user_name, idempotency_key)
);
