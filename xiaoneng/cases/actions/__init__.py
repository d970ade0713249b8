"""Every write to a case, one module per topic, one function per state change (conventions §2):

- `intake`: case_submit (online), case_register_at_window, case_correct_on_the_spot, case_accept,
  case_deem_accepted (periodic), case_refuse_at_intake (CAS-1, CAS-2);
- `supplement`: case_request_supplement (the one-time notice), case_supplement (CAS-1);
- `steps`: case_step_decide (an opinion), case_step_sign (the page's and API's signature: the head's
  approval on the last step is the decision too), case_step_deemed_consent (periodic),
  case_step_absent (CAS-7, CAS-9);
- `timing`: case_pause, case_resume (CAS-4), case_extend (CAS-3);
- `negative`: case_negative_report_submit, case_negative_report_review (CAS-6);
- `decision`: case_decide, case_deliver, case_close, case_withdraw (CAS-3, CAS-5);
- `fees`: fee_charge_record (CAT-7); `enquiries`: enquiry_register (CAS-8).

What the actions share, none of them an action: `transition` (the case's row lock, version check,
transition table, write and Event), `notices` (numbered written notices), `notifications` (who is
told), `materials` (upload limits and storage). Each action takes the case's row lock first, checks
permission (cases.permissions) and the transition table, writes, appends the Event, and notifies on
commit. Import an action from its module: this package re-exports nothing.
"""
