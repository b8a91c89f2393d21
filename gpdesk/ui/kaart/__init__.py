"""The Sociale kaart screen: search, filters, result list, detail, handout and checks."""
