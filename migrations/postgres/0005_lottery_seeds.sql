-- ref-19: the lottery's seed, drawn by chuzhi from the operating system's random source when the lottery is
-- committed. only its sha-256 goes into the valuation (and the audit log) until the draw reveals it, so nobody can
-- see or choose a result before the seed is fixed.
create table lottery_seeds (
    asset_id bigint not null references assets (id),
    commitment text not null,
    seed text not null,
    committed_at timestamptz not null,
    revealed_at timestamptz,
    primary key (asset_id, commitment)
);
