"""Enterprise-facing law enforcement (issue 13, seed rows S14, S15, S19, S20): 涉企检查备案,
enforcement certificates (执法证), 首违告诫/首违不罚, 明察暗访/交叉检查/自查自纠 and discretion
baselines (自由裁量基准). See docs/inspections.md.

Rules (cited in the code and tests that enforce them):

- INS-1 Default. An enterprise inspection is filed (涉企检查备案) before it takes place: who (the
  officials), which enterprise, the legal basis, the planned date (today or later); the department
  head approves the filing (须报经部门主管领导同意, seed 000; 涉企检查备案制度, seed 002 §6) within
  2 working days (a Clock, kind "inspections.filing"; XIAONENG_INSPECTION_FILING_DAYS).
- INS-2 Law. The legal basis of an inspection is a published catalog item of type 行政检查 (06) of the
  filing department, and of a penalty a published item of type 行政处罚 (02): CAT-1, no power outside
  the catalog (优化营商环境条例 第四十条).
- INS-3 Law. 持证上岗: every official of an enforcement act (filing, inspection, first-violation notice,
  penalty decision) holds an enforcement certificate valid on the act's date and not revoked; without
  one the act is refused (seed 002 §7; seed 000: 对持无效证件…的执法行为，行政相对人有权拒绝).
- INS-4 Law. At least two officials take part in an enforcement act (行政处罚法 第四十二条、第五十五条).
- INS-5 Law. An enterprise is named by its unified social credit code, checked with its check
  character (GB 32100-2015).
- INS-6 Default. The public verification page answers a filing number together with the enterprise's
  credit code (both must match, so nobody learns another enterprise's inspections), rate-limited; it
  shows the status, department, inspection item, planned date and the officials' names and
  certificate numbers with their validity — nothing internal.
- INS-7 Default. An enterprise inspection recorded without a filing approved before the inspection
  date, for the same enterprise, and without a statutory exemption (national security, work safety,
  environmental protection, suspected crime — seed 002 §6) is flagged unfiled
  (`selectors.unfiled_inspections`).
- INS-8 Default. 首违不罚: a first minor violation of a matter on the published list (首违不罚清单)
  gets a warning and a rectification notice with a deadline (a Clock) and no penalty (行政处罚法 第三十三条;
  seed 002 §7 首违告诫). Only the first per enterprise and list entry. While the deadline runs no
  penalty for that enterprise and item; once the notice is closed as not rectified, a penalty is set
  at the lower bound of its tier (按规定的下限处罚).
- INS-9 Default. 明察暗访 and 交叉检查 are recorded by the efficiency office or leaders of the region,
  自查自纠 by the department itself; evidence files pass core.uploads.upload_check; each finding
  opens one Rectification (oversight.services.rectification_open) for the department responsible.
- INS-10 Default. A penalty decision's fine lies within the range of its discretion baseline tier
  (自由裁量基准, seed 004 行政执法标准化); outside it the decision is refused (not flagged): the
  baseline is binding, and a case it does not fit goes to the legal office to revise the baseline.
  Baselines are set by the legal office and published.
"""
