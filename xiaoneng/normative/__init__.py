"""Normative documents (规范性文件, issue 13, seed row S20): drafts a department submits for the legal
office's prior legality review (前置审查 / 合法性审核), publication with a document number (文号),
filing (备案) after publication, the public list of effective documents, validity, evaluation and
clean-up (评估清理) and expiry. See docs/normative.md.

Rules (cited in the code and tests that enforce them):

- NOR-1 Law. No normative document is published without the legal office's legality review, and not
  after a review that did not pass (国办发〔2018〕115号: 未经合法性审核或者经审核不合法的，不得提交
  集体审议; 国办发〔2018〕37号 严格落实合法性审核). The drafting department submits; the legal office of
  the department's region (or above) reviews.
- NOR-2 Default. The review is a Clock of 15 working days from submission (国办发〔2018〕115号:
  合法性审核时间一般不少于5个工作日，最长不超过15个工作日); XIAONENG_NORMATIVE_REVIEW_DAYS.
- NOR-3 Law. The review ends in one of three outcomes: 通过, 修改后通过 (the opinion states the changes
  required) or 不予通过 (with the reasons in writing). Only the first two allow publication.
- NOR-4 Law. Publication (统一登记、统一编号、统一印发, 国办发〔2018〕37号) gives a document number (文号)
  unique in the jurisdiction, the publication date (today or earlier, not before the review), the
  effective date (not before publication) and a validity (有效期, default 5 years; at most 5 years).
- NOR-5 Default. The document is filed (备案) with the next-level government or the people's congress
  standing committee within 30 days of publication (a natural-day Clock from the publication date,
  法规规章备案条例 第三条 applied by the local measures; XIAONENG_NORMATIVE_FILING_DAYS). A late filing
  is an overdue Clock the supervision scan raises like any other.
- NOR-6 Default. 评估清理: a document is due for evaluation 6 months before its validity ends
  (XIAONENG_NORMATIVE_REVIEW_MONTHS_BEFORE); the evaluation continues it (a new validity of at most
  5 years from the old end), or repeals it (废止, with reasons). A document past its validity, or
  repealed, leaves the public list of effective documents and is shown as 已失效 / 已废止.
- NOR-7 Default. Scope: the drafting department's staff see and submit their drafts, its head
  publishes and records the filing; the legal office and supervisors see their region's subtree; the
  public sees published documents only (number, title, dates, validity, status).
"""
