/**
 * The path of the double opt-in link a confirmation email carries: `CONFIRM_PATH?token=<token>`.
 * The email sender builds it (messaging) and the pages serve it (pages/doi-confirm.ts).
 */
export const CONFIRM_PATH = '/doi/confirm';
