"""The ratings' actions, one module per topic, one function per state change:

- `invitations`: rating_invite, rating_invite_cases (RAT-1 SMS invitations, periodic);
- `rating`: hall_service_record, rating_submit (RAT-1), ratings_default (RAT-2, periodic);
- `bad_reviews`: rating_verify, rating_callback, rating_appeal, rating_appeal_decide (RAT-3);
- `surveys`: survey_create, survey_question_add, survey_link_create, survey_set_status,
  survey_respond (社会测评).

Outside the package: `permissions` (who may act, scoped look-ups), `links` (the rating page's token
and address), `limits` (the RAT-2/RAT-3 numbers), `selectors` (scoped reads, RAT-4 metrics).
Import an action from its module; this package re-exports nothing.
"""
