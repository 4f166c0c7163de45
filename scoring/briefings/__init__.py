"""The weekly briefing (周通报): its facts read from a week's verified ledgers (`facts`), the
text written from them (`prose`), and who reads which briefing (`selectors`). The service that
generates, edits and issues briefings is scoring.services.briefings."""
