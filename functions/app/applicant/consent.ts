import { errors } from '../../domain/errors';
import type { ConsentRecord } from '../../domain/model';
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { finalizeVerification } from '../outcomes';
import type { ConsentBody } from './schemas';
import { CONSENT_TEXT_VERSION, reloadSession, updateSession, type OpenSession, type SessionView } from './session';

/** Who answered, as the transport saw it (kept with the consent record as evidence). */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

/**
 * Records the applicant's consent answer. Primary course: accepted -> the consent record (text version,
 * time, locale, IP, user agent) is stored and captures may start. Declined (also after an earlier
 * acceptance: consent can be withdrawn) -> the verification ends declined / final / CONSENT_DECLINED and
 * its webhooks fire. Accepting again is a no-op that keeps the first record.
 */
export async function recordConsent(
  deps: AppDeps,
  session: OpenSession,
  body: ConsentBody,
  origin: RequestOrigin,
): Promise<SessionView> {
  const { verification, flow } = session;
  if (body.textVersion !== CONSENT_TEXT_VERSION) {
    throw errors.validation([
      {
        field: 'textVersion',
        issue: `must be the current consent text version (${CONSENT_TEXT_VERSION}); reload the page`,
      },
    ]);
  }
  const now = deps.clock.now().toISOString();
  const record: ConsentRecord = {
    accepted: body.accepted,
    textVersion: body.textVersion,
    locale: body.locale,
    at: now,
    ip: origin.ip,
    userAgent: origin.userAgent ? origin.userAgent.slice(0, MAX_USER_AGENT) : null,
  };
  const audit = (type: string) =>
    recordAudit(deps, {
      orgId: verification.orgId,
      verificationId: verification.id,
      type,
      at: now,
      data: { textVersion: record.textVersion, locale: record.locale },
    });

  if (!body.accepted) {
    const ended = await finalizeVerification(
      deps,
      verification.id,
      { decision: 'declined', declineType: 'final', reasonCodes: ['CONSENT_DECLINED'], riskFlags: [] },
      (v) => ({ ...v, consent: record }),
    );
    if (!ended) throw errors.conflict('session_finished', 'This verification is already finished.');
    await audit('consent.declined');
    return reloadSession(deps, verification.id, flow);
  }
  if (verification.consent?.accepted) return reloadSession(deps, verification.id, flow);
  await updateSession(deps, verification.id, (v) => {
    if (v.status !== 'pending' && v.status !== 'in_progress')
      throw errors.conflict('session_finished', `This verification is already finished (${v.status}).`);
    return { ...v, consent: v.consent?.accepted ? v.consent : record, updatedAt: now, version: v.version + 1 };
  });
  await audit('consent.accepted');
  return reloadSession(deps, verification.id, flow);
}
