"""Import and export: the Plan exchange format (JSON), MSPDI, XER, CSV, iCalendar."""
