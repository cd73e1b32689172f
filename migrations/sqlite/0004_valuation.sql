-- the reference-price lifecycle of an asset (ref-1…ref-46, src/valuation): its state as json, and every event.
create table valuations (
    asset_id integer primary key references assets (id),
    court_id integer not null references courts (id),
    -- the serialized lifecycle; the events below replay to it.
    state text not null,
    stage text not null,
    version integer not null,
    updated_at text not null
);

create table valuation_events (
    id integer primary key autoincrement,
    asset_id integer not null references assets (id),
    version integer not null,
    on_date text not null,
    event text not null,
    audit_seq integer not null,
    unique (asset_id, version)
);

-- the valuation addresses its own nodes by key (e.g. "platform_report:jd"); nodes the engine creates itself have none.
alter table nodes add column node_key text;
create index nodes_asset_key on nodes (asset_id, node_key) where node_key is not null;
