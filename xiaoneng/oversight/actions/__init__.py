"""The writes of oversight beyond rectification (which stays in `oversight.services`): one module per
topic — `tasks` (督查督办), `accountability` (问责, ACC-1/ACC-2) and `exemption` (容错, ACC-3). Each
function checks permission, validates, writes, appends the Event and notifies after commit."""
