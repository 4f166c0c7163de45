"""Every downloadable document (PDF, Excel) as an Export registered by identifier."""
