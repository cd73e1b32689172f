-- the fingerprint of the holiday schedules the nodes were last computed with. when serve starts with other
-- schedules (a new year published, or a corrected one), every open node is recomputed, not only provisional ones.
create table calendar_state (
    id integer primary key check (id = 1),
    fingerprint text not null
);
