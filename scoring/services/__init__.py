"""Write side of scoring: load a quarter, compute and store versions, appeals, publication."""
