"""Proposals and major decisions (issue 13, seed row S21): 人大代表建议 and 政协委员提案 assigned to
departments as supervised work with the statutory reply periods, formal replies and the proposer's
satisfaction; and 重大行政决策 records with their five statutory steps. See docs/proposals.md.

Rules (cited in the code and tests that enforce them):

- PRP-1 Default. The government office (督查室: the efficiency office or a leader of the region, or the
  administrator) registers a deputy's suggestion or a member's proposal and assigns it to one lead
  department (主办) and any co-handling departments (协办), distinct from the lead.
- PRP-2 Law. The lead department replies within 3 months of assignment (全国人民代表大会代表建议、
  批评和意见处理办法 第十条; 政协全国委员会提案工作条例 and the local measures for 政协提案: 自交办
  之日起3个月内); an urgent one within 1 month by default (XIAONENG_PROPOSAL_URGENT_MONTHS). The
  period is a natural-day Clock from the day of assignment to the same day 3 (or 1) months later.
- PRP-3 Law. Each co-handling department gives its opinion to the lead department within 1 month of
  assignment (a Clock each). The lead replies once every co-handler has answered or its month is over.
- PRP-4 Law. The formal reply (答复) is signed by the lead department's head and classified A (已解决
  或采纳), B (列入计划拟解决) or C (留作参考), with the reply text.
- PRP-5 Default. The proposer's satisfaction is recorded (满意, 基本满意, 不满意). 满意 or 基本满意 close
  the proposal; 不满意 reopens it once for a second reply on a Clock (1 month by default,
  XIAONENG_PROPOSAL_SECOND_REPLY_MONTHS); after the second reply the proposal closes whatever the
  answer.
- PRP-6 Law. Every step (registration, assignment, opinion, reply, satisfaction, reopening) is an Event
  on the proposal's trail (全程留痕).
- DEC-1 Law. A major administrative decision (重大行政决策) goes through 公众参与, 专家论证, 风险评估,
  合法性审查 and 集体讨论决定 (重大行政决策程序暂行条例, 国务院令第713号 第三条、第四条). 公众参与,
  合法性审查 and 集体讨论决定 are always mandatory; 专家论证 (第十九条) and 风险评估 (第二十二条) are
  mandatory unless the record states why the matter does not call for them.
- DEC-2 Law. Public participation publishes the draft for comment for at least 30 days (第十五条:
  一般不少于30日); a shorter period needs a stated reason (情况紧急等). The public comments on the
  public page while the period runs; the comment count is shown. The step is completed only after its
  period has ended.
- DEC-3 Law. The legality review is done by the legal office; a draft found unlawful may not go to
  collective discussion (第二十五条、第二十八条).
- DEC-4 Law. The decision is adopted only by collective discussion (第三十条), and only after every
  mandatory step is completed; each step is recorded with its date, who recorded it and its summary.
"""
