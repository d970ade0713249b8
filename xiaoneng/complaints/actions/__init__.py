"""The complaint loop's actions (CMP-1), one module per step, one function per state change:

- `intake`: complaint_submit (public form and API), complaint_register (the office), complaint_intake
  (Open311), with their one-round checks;
- `acceptance`: complaint_accept, complaint_refuse (CMP-2, CMP-3), complaint_merge;
- `dispatch`: complaint_suggest, complaint_dispatch, complaint_return, complaint_extend;
- `reply`: complaint_reply (a substantiated efficiency complaint opens a rectification);
- `closure`: complaint_callback (review: satisfied closes, unsatisfied reopens), complaint_close;
- `escalation`: complaints_escalate (periodic);
- `loop`: what the steps share (transition table, lock, recipients, text check).

Outside the loop, in their own modules of the app: `permissions` (who may act, scoped look-ups),
`apikeys` (Open311 client keys), `publication` (monthly figures, CMP-4), `accountability` (问责).
Import an action from its module; this package re-exports nothing, so that importing one step
never loads the others.
"""
