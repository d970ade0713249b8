"""SUP-2 irregularity rules (电子监察 违规预警): the registry of the named rules (eight on
cases, SUP-2.9 on enforcement acts), the incremental detector over the Event trail, the handling
services and the scoped reads.

Detection reads the core Event trail after `DetectorCursor.position`, evaluates the rules that the new
events can affect on the cases they touch, inserts the flags (the database keeps one flag per rule,
subject and key: `supervision_irregularity_once`) and moves the cursor in the same transaction. Its
cost follows the number of new events, never the number of cases: about a dozen queries per batch of
events whatever the batch holds. Where the cases services already refuse a breach, the rule is defence
in depth for rows that arrive another way (imports, other systems, admin edits).

Flags found on a case use the case as their subject (the list links to it) and `key` to tell several
findings of one rule apart (two fees, two extra steps).

Modules: `rules` (the registry and its detectors), `detect` (the incremental detector),
`services` (confirm, dismiss, rectify), `selectors` (reads), `views` (pages).
"""
