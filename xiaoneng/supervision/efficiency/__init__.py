"""The efficiency index (效能指数): a monthly score per unit on a 100-point base with itemised
deductions (SUP-5), the three-level warning (SUP-3), quarterly grades (SUP-5), and the scoped reads
behind the index pages, the public warning list and the leader's page.

Sources of deductions (defaults; each jurisdiction may configure its own in EfficiencyPolicy):

- SUP-1 alerts raised in the month, each obligation counted once at the highest level it reached in
  the month: every run of 3 reminders (提醒, "3 consecutive warnings") −3, each yellow card −5, each
  red card (with or without a supervision recommendation) −10.
- SUP-2 irregularities detected in the month and confirmed (or already rectified): −2 / −5 / −10 by
  severity (一般 / 较重 / 严重). Open and dismissed flags do not count.
- Complaints (CMP-2, CMP-4): each efficiency complaint found substantiated in the month −5; each
  complaint whose reply fell due in the month and was late or is still missing −1 (CMP-4's target
  is a 100% reply rate).
- Ratings (RAT-3, RAT-4): each bad review of the month whose rectification is past its Clock and not
  verified −2; a satisfaction rate below 95% −1 per percentage point (at most −5), only with at least
  10 ratings (too few ratings make no rate).

Three-level warning (SUP-3): 单项预警 — the unit has at least one deduction in the month (an alert,
an irregularity, a complaint, a review); 综合预警 — its monthly score is below 90; 公开预警 (the
public warning list) — its score is below 80, or it had a 综合预警 two months running.

Quarterly grades (SUP-5): the mean of the quarter's monthly scores; 优秀 ≥ 95, 良好 ≥ 85, 合格 ≥ 70,
else 不合格, which carries a supervision recommendation and opens a Rectification.

Modules: `scoring` (the arithmetic), `services` (compute, grade, refresh, policy), `selectors`
(the index, the public warning list, the leader's page), `views` (pages).
"""
