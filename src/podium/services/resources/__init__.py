"""Shared resources: the catalog, assignments to tasks, load against capacity, leveling."""
