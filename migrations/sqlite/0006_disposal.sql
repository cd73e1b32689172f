-- the disposal of a priced asset (auc, sell, self, trad; src/disposal): its lifecycle as json, and every event.
create table disposals (
    asset_id integer primary key references assets (id),
    court_id integer not null references courts (id),
    case_id integer not null references cases (id),
    -- the serialized lifecycle; the events below replay to it.
    state text not null,
    stage text not null,
    version integer not null,
    -- trad-11: set when the case's claim and costs are covered by another asset's sale, so this disposal stops.
    stop_flagged_at text,
    updated_at text not null
);
create index disposals_case on disposals (case_id);

create table disposal_events (
    id integer primary key autoincrement,
    asset_id integer not null references assets (id),
    version integer not null,
    on_date text not null,
    event text not null,
    audit_seq integer not null,
    unique (asset_id, version)
);

-- debt in kind among several creditors of the same rank is decided by lot (trad-5); the seed is drawn by chuzhi.
create table disposal_lots (
    asset_id integer not null references assets (id),
    seed text not null,
    drawn_at text not null,
    primary key (asset_id, seed)
);
