"""Governance of a program: reviews on a cadence with agendas built from the data, the
decision log, change requests (impact computed, applied on approval), stakeholders, and
the close-out retrospective.

Modules: :mod:`.reviews` (cadences, attendees, occurrences, proposed agenda items),
:mod:`.agenda` (what the next occurrence should look at), :mod:`.decisions`,
:mod:`.change_requests`, :mod:`.stakeholders`, :mod:`.retrospective` (closing a
program, lessons learned, the report).
"""
