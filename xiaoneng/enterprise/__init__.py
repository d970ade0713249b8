"""Enterprise service (企业服务, issue 13, seed row S18): 挂点帮扶 (an official paired with an
enterprise: visits, problems solved on a clock, the enterprise's satisfaction), 代办/帮办 (an agent
for an investment project: its approvals, each on its own clock, linked to cases) and 发展环境监测点
(monitoring points whose reports the efficiency office forwards, and which feed the warning index).
See docs/enterprise.md.

Rules (cited in the code and tests that enforce them):

- ENT-1 Default. 挂点帮扶 (seed 002 §三.2): the efficiency office (效能办) of a region pairs an official
  (the department's head — 一把手 — or another cadre of it, or a leader of the region) of a department
  with an enterprise named by its unified social credit code (GB 32100-2015, check character tested);
  one active pairing per department and enterprise.
- ENT-2 Default. Visits (上门服务) are logged by the paired official or the pairing department's staff:
  a date between the pairing's start and today, and what was done.
- ENT-3 Default. A problem the enterprise raises (or the official records for it) is assigned by the
  paired official to the responsible department within 2 working days (Clock
  "enterprise.problem.assign"), and that department solves it within 10 working days (Clock
  "enterprise.problem.solve"; XIAONENG_ENTERPRISE_SOLVE_DAYS): seed 004's "135" 限时办理 and seed 002's
  直查快办. Both clocks carry the department, so the supervision scan warns and flags them overdue like
  every clock; `selectors.overdue_problems` lists the unsolved ones past due.
- ENT-4 Default. The responsible department replies (progress or solution); only a solution stops the
  solve clock. The enterprise rates a solved problem once, on the five levels of RAT-1; a bad rating
  (不满意/非常不满意) reopens it once with a new clock of 5 working days.
- ENT-5 Default. 代办/帮办 (seed 004 帮办体系): an investment project of an enterprise has an agent (帮办员,
  staff of the agent's department); each approval it needs is a published catalog item (CAT-1) tracked
  on its own Clock ("enterprise.approval") at the item's committed limit (else the statutory one, else
  20 working days), linked to a case by its tracking number when the case exists (same tenant, same item).
- ENT-6 Default. An enterprise account (an applicant of kind 法人/企业) reads only the pairings,
  problems and projects of the enterprise whose credit code is its own company credit code; staff read
  through their department (the pairing, responsible or agent department) or their region's subtree.
- ENT-7 Default. 发展环境监测点 (seed 002 §三.3): the office designates enterprises, associations and
  deputies as monitoring points; a point's account submits reports (problem, department concerned,
  severity 一般/较重/严重); the office forwards each to the department with a reply Clock of 5 working
  days ("enterprise.monitoring.reply"), the department replies, the office closes it. Every report
  counts in the warning index's 定点监测 source (`selectors.monitoring_reports_for`).
- ENT-8 Default. Bad input is a message, never a 500: dates between 2000-01-01 and today (a visit or
  report cannot be in the future), texts of at most 2000 characters (names 200), credit codes with a
  correct check character, integers in range.
"""
