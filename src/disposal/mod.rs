//! AUC, SELL, SELF, TRAD: the disposal of a seized asset (变价) — online auctions, sell-off, debt in kind, self-disposal (pure).
pub mod bid_log;
