"""Bulletins (效能通报): monthly and quarterly per region. A draft shows the live figures; issuing
(the efficiency office's action) numbers the bulletin and freezes a snapshot of the figures, so a
later recompute of the index never changes an issued bulletin. Downloads: PDF (reportlab, with
tables and a bar chart drawn with reportlab.graphics) and Excel (openpyxl, with a native chart).

Modules: `figures` (the live figures and the frozen snapshot), `services` (create, issue),
`documents` (PDF, Excel, the download response), `views` (pages).
"""
