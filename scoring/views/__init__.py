"""Views of scoring: the office's quarter cycle, rankings and each unit's explained score."""
