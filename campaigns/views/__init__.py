"""Views of campaigns, one module per audience: reporters, reviewers, the office."""
