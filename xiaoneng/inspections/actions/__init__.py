"""Every write of the inspections app (conventions §2), one module per topic: `filings`,
`certificates`, `records`, and the input checks they share in `inputs`."""
