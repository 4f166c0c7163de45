"""Register writes: reporting inside the ledger, review, derivation, import, inspections."""
