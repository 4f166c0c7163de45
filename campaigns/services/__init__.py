"""Write side of campaigns: one module per operation family (years, ledger, review, …)."""
