// `roster apply` lives in the core's provisioning use case, wired to the facades' rules in
// src/provisioning.ts; re-exported here for callers that import it from the CLI.
export { type ApplyFile, ApplyFileError, type ApplyReport, applyProvisioning, parseApplyFile } from '../provisioning.js';
