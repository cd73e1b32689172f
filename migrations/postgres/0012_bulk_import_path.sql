-- the statement import's write path (spec 8). a statement line without a bank reference is identified by the first
-- 128 bits of its fields' sha-256 (`h:` and 32 hex digits) instead of all 256 (`sha256:` and 64): the identity is
-- in two unique indexes an import inserts into at random, and half the key is half the pages. identities stored
-- before are shortened the same way, so importing an old file again still recognises every line. (sqlite also
-- defers the import tables' foreign keys here; postgresql keeps no statement journal and needs no such change.)
update statement_lines set bank_reference = 'h:' || substr(bank_reference, 8, 32)
    where bank_reference like 'sha256:%' and length(bank_reference) = 71;
update ledger_entries
    set source = substr(source, 1, length(source) - 71) || 'h:' || substr(source, length(source) - 63, 32)
    where length(source) > 71 and substr(source, length(source) - 71, 8) = ':sha256:';
-- a cash deposit finance recorded by a line's identity (fund-2) must still name that line.
update cash_receipts set deposit_reference = 'h:' || substr(deposit_reference, 8, 32)
    where deposit_reference like 'sha256:%' and length(deposit_reference) = 71;
