"""Use cases: load from the database, call the engine, store, audit.

Services never commit: the caller's unit of work (a request, a CLI command) does.
"""
