import type { AccountUid, Core } from '../../core/index.js';
import type { NavigaCall } from './request.js';
import type { WriteOrchestrator } from './write-orchestrator.js';
import { eventCodes, invalid, withEvents } from './write-support.js';

/** A password Roster refuses: too weak for the site's rules, or recently used. */
type Refusal = { kind: 'weak_password'; reason: string } | { kind: 'reused' };

const refused = (call: NavigaCall, refusal: Refusal) => invalid(call, refusal.kind === 'reused' ? 'Password was used recently' : refusal.reason);

/**
 * The steps every password write shares (Change Password, Forgot finish), in one place so the two
 * cannot drift: Roster's rules and history first (so the provider never gets a password Roster
 * refuses), then the provider when it has the user, then `local` (set the password, or redeem a
 * reset token) with the call that records the codes of the change. A refusal of `local` is E400_00;
 * its other outcomes are the caller's.
 */
export async function changePasswordEverywhere<O extends { kind: string }>(
  { core, writes }: { core: Core; writes: WriteOrchestrator },
  plain: NavigaCall,
  change: { uid: AccountUid; password: string; ignoreProvider: boolean },
  local: (call: NavigaCall) => Promise<O>,
): Promise<Exclude<O, { kind: Refusal['kind'] }>> {
  const { uid, password } = change;
  const provider = writes.providerFor(plain, change.ignoreProvider);
  const account = await writes.localUser(plain, uid);
  const problem = await core.credentials.newPasswordProblem(plain.ctx, plain.site, uid, password);
  if (problem) throw refused(plain, problem);
  const subject = provider && (await writes.atProvider(plain, 'updateFailed', () => writes.subjectOf(provider, account)));
  if (provider && subject) await writes.atProvider(plain, 'updateFailed', () => provider.writes.changePassword(subject, password));
  const call = withEvents(plain, (event) =>
    event.type === 'account.password_changed' ? eventCodes(subject != null, 'changePasswordEvent', 'providerChangePasswordEvent') : [],
  );
  const outcome = await local(call);
  if (outcome.kind === 'weak_password' || outcome.kind === 'reused') throw refused(call, outcome as unknown as Refusal);
  return outcome as Exclude<O, { kind: Refusal['kind'] }>;
}
