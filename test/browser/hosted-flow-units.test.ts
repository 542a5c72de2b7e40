import { ApiError, clockOffsetOf, type Session } from '../../hosted-flow/src/api';
import { judgeHeadTurnFrame, promptDots } from '../../hosted-flow/src/capture/head-turn';
import { documentSideTitle, issueText, uploadErrorText } from '../../hosted-flow/src/capture/messages';
import { judgeSelfieFrame, selfieGuidance } from '../../hosted-flow/src/capture/selfie-auto-capture';
import {
  frameFits,
  RECORDING_MAX_FRAME_DATA_BYTES,
  recordingBlob,
  recordingSize,
} from '../../hosted-flow/src/capture/sequence-recorder';
import sharp from 'sharp';
import { parseFrameSequence } from '../../functions/domain/frame-sequence';
import { captureAfter, capturePlan, stepPosition } from '../../hosted-flow/src/flow/capture-plan';
import { type FlowAction, type FlowState, flowReducer, initialFlowState } from '../../hosted-flow/src/flow/flow-state';
import { outcomeOf, resultPageOf } from '../../hosted-flow/src/flow/outcome';
import { isRetryable, pageErrorOf } from '../../hosted-flow/src/flow/page-error';
import { progressPercent } from '../../hosted-flow/src/flow/progress';
import type { DetectedFace } from '../../hosted-flow/src/media/face-detector';
import { toDetectedFaces } from '../../hosted-flow/src/media/face-model';
import { ar } from '../../hosted-flow/src/i18n/ar';
import { en } from '../../hosted-flow/src/i18n/en';
import { fr } from '../../hosted-flow/src/i18n/fr';
import { chooseLocale, translator } from '../../hosted-flow/src/i18n';
import { handoffUrl, returnUrlWithResult, takeVerifyLink } from '../../hosted-flow/src/link';
import { classifyCameraError, isRetryableCameraProblem } from '../../hosted-flow/src/media/camera';
import {
  GUIDANCE_MARGIN_DEGREES,
  guidanceThresholds,
  headYaw,
  type Point,
  poseMatches,
} from '../../hosted-flow/src/media/pose';
import { syntheticLandmarks } from '../support/synthetic-landmarks';
import { judgeQuality } from '../../hosted-flow/src/media/quality';
import { REASON_CODE_NAMES } from '../../functions/domain/reason-codes';
import { livenessDisplayText } from '../../hosted-flow/src/face-liveness/display-text';
import { failureOf } from '../../hosted-flow/src/face-liveness/failures';
import { GuestCredentialsError, guestCredentialProvider } from '../../hosted-flow/src/face-liveness/guest-credentials';

/** The hosted page's pure logic, without a browser: pose, quality, catalogs, link handling, routing. */

/** 68 landmarks of a face at `yaw` degrees (positive: the subject's own left) and `roll`, in a 1000x750 frame. */
function landmarks(yaw: number, roll = 0): Point[] {
  return syntheticLandmarks({ yaw, roll, distance: 40 }, FRAME.width, FRAME.height);
}
const FRAME = { width: 1000, height: 750 };

describe("head pose from landmarks (the server's measure, in degrees)", () => {
  test("frontal reads about 0; nose toward the image right is the subject's own left (positive)", () => {
    expect(headYaw(landmarks(0), FRAME.width, FRAME.height)).toBeCloseTo(0, 1);
    expect(headYaw(landmarks(30), FRAME.width, FRAME.height)).toBeCloseTo(30, 1);
    expect(headYaw(landmarks(-30), FRAME.width, FRAME.height)).toBeCloseTo(-30, 1);
  });

  test('a head tilt (roll) is not read as a turn', () => {
    expect(headYaw(landmarks(0, 25), FRAME.width, FRAME.height)).toBeCloseTo(0, 1);
    expect(headYaw(landmarks(30, 25), FRAME.width, FRAME.height)).toBeCloseTo(30, 1);
  });

  test("prompts match only the right pose, a little beyond the server's threshold; incomplete landmarks give no reading", () => {
    const t = guidanceThresholds(20);
    expect(t.minTurnDegrees).toBe(20 + GUIDANCE_MARGIN_DEGREES);
    expect(guidanceThresholds(30).minTurnDegrees).toBe(30 + GUIDANCE_MARGIN_DEGREES);
    expect(poseMatches('left', 25, t)).toBe(true);
    expect(poseMatches('left', 21, t)).toBe(false);
    expect(poseMatches('left', -25, t)).toBe(false);
    expect(poseMatches('right', -25, t)).toBe(true);
    expect(poseMatches('right', 5, t)).toBe(false);
    expect(poseMatches('centre', 3, t)).toBe(true);
    expect(poseMatches('centre', 15, t)).toBe(false);
    expect(headYaw(landmarks(0).slice(0, 40), FRAME.width, FRAME.height)).toBeNull();
  });
});

describe('capture quality', () => {
  const size = { width: 1280, height: 720 };
  const flat = (value: number, w = 64, h = 48) => new Float32Array(w * h).fill(value);
  const checkerboard = (w = 64, h = 48) =>
    Float32Array.from({ length: w * h }, (_, i) => (((i % w) + Math.floor(i / w)) % 2 ? 220 : 40));

  test('dark, featureless (blurry) and small photos are flagged; a sharp bright one is not', () => {
    expect(judgeQuality(flat(20), 64, 48, size).issues).toEqual(['tooDark']);
    expect(judgeQuality(flat(128), 64, 48, size).issues).toEqual(['blurry']);
    expect(judgeQuality(checkerboard(), 64, 48, size).issues).toEqual([]);
    expect(judgeQuality(checkerboard(), 64, 48, { width: 320, height: 240 }).issues).toEqual(['tooSmall']);
  });
});

describe('message catalogs', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  test.each([
    ['fr', fr],
    ['ar', ar],
  ] as const)('%s has every English key with the same named placeholders', (_name, catalog) => {
    const extraPlurals = Object.keys(catalog).filter((k) => !(k in en));
    expect(
      extraPlurals.every((k) => /\.(zero|two|few|many)$/.test(k) && `${k.replace(/\.\w+$/, '')}.other` in en),
    ).toBe(true);
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect({ key, text: typeof catalog[key] }).toEqual({ key, text: 'string' });
      const mine = placeholders(catalog[key]);
      // A plural form may spell its number out ("one attempt"); otherwise the placeholders are the same.
      const expected = /\.(zero|one|two)$/.test(key)
        ? mine.filter((p) => placeholders(en[key]).includes(p!))
        : placeholders(en[key]);
      expect({ key, placeholders: mine }).toEqual({ key, placeholders: expected });
    }
  });

  test('every reason code the service can return has an explanation in every language', () => {
    for (const locale of ['en', 'fr', 'ar'] as const) {
      const t = translator(locale);
      for (const code of REASON_CODE_NAMES)
        expect({ code, locale, text: t.tryKey(`reason.${code}`) !== null }).toEqual({ code, locale, text: true });
    }
  });

  test("plurals follow each language's rules; numbers are formatted for the locale", () => {
    expect(translator('en').plural('result.attemptsLeft', 1)).toBe('You have 1 attempt left.');
    expect(translator('en').plural('result.attemptsLeft', 2)).toBe('You have 2 attempts left.');
    expect(translator('ar').plural('result.attemptsLeft', 2)).toBe('تبقّت لديك محاولتان.');
    expect(translator('ar').plural('result.attemptsLeft', 3)).toBe(
      `تبقّت لديك ${new Intl.NumberFormat('ar').format(3)} محاولات.`,
    );
    expect(translator('fr').t('app.stepOf', { current: 2, total: 4 })).toBe('Étape 2 sur 4');
    expect(translator('ar').dir).toBe('rtl');
    expect(translator('fr').dir).toBe('ltr');
  });

  test('the session locale wins, then the browser languages, then English', () => {
    expect(chooseLocale('fr-CA', ['ar'])).toBe('fr');
    expect(chooseLocale(null, ['de-DE', 'ar-EG', 'fr'])).toBe('ar');
    expect(chooseLocale('de', ['es'])).toBe('en');
  });
});

describe('verify link', () => {
  function fakeWindow(href: string) {
    const url = new URL(href);
    const calls: string[] = [];
    const store = new Map<string, string>();
    const location = { pathname: url.pathname, search: url.search, hash: url.hash } as Location;
    const history = {
      state: null,
      replaceState: (_s: unknown, _t: string, to: string) => calls.push(to),
    } as unknown as History;
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as Storage;
    return { location, history, storage, calls, store };
  }

  test('the token leaves the address bar and is kept for this tab; a reload finds it again', () => {
    const w = fakeWindow('https://verify.example/v/vrf_9a2b7c1d4e5f?token=tok_abc123&lang=fr');
    expect(takeVerifyLink(w.location, w.history, w.storage)).toEqual({
      verificationId: 'vrf_9a2b7c1d4e5f',
      token: 'tok_abc123',
    });
    expect(w.calls).toEqual(['/v/vrf_9a2b7c1d4e5f?lang=fr']);
    const reload = fakeWindow('https://verify.example/v/vrf_9a2b7c1d4e5f');
    reload.store.set('kyc.clientToken.vrf_9a2b7c1d4e5f', w.store.get('kyc.clientToken.vrf_9a2b7c1d4e5f')!);
    expect(takeVerifyLink(reload.location, reload.history, reload.storage).token).toBe('tok_abc123');
    expect(reload.calls).toEqual([]);
    expect(handoffUrl('https://verify.example', { verificationId: 'vrf_9a2b7c1d4e5f', token: 'tok_abc123' })).toBe(
      'https://verify.example/v/vrf_9a2b7c1d4e5f?token=tok_abc123',
    );
  });

  test('returnUrl keeps its own query and gets verificationId and status; non-http URLs are refused', () => {
    const back = new URL(returnUrlWithResult('https://shop.example/done?order=A-1', 'vrf_1', 'approved')!);
    expect(Object.fromEntries(back.searchParams)).toEqual({
      order: 'A-1',
      verificationId: 'vrf_1',
      status: 'approved',
    });
    expect(returnUrlWithResult('javascript:alert(1)', 'vrf_1', 'approved')).toBeNull();
  });
});

/** A pending live session of a flow with consent, document (passport or identity card), selfie and head turns. */
const session = (over: Partial<Session> = {}): Session => ({
  verificationId: 'vrf_1',
  status: 'pending',
  mode: 'live',
  locale: 'en',
  expiresAt: '2026-01-01T00:00:00Z',
  returnUrl: null,
  steps: ['consent', 'document', 'selfie', 'liveness'],
  document: { types: ['passport', 'id_card'], issuingCountries: [], needsBack: { passport: false, id_card: true } },
  consent: { given: true, textVersion: 'v1' },
  challenge: { prompts: ['left', 'right'] },
  attempts: { used: 0, max: 3, left: 3 },
  lastAttempt: null,
  decision: null,
  declineType: null,
  reasonCodes: [],
  ...over,
});

describe('routing decisions', () => {
  test('captures follow the flow: type choice only with several types, back side only where the type has one', () => {
    expect(capturePlan(session(), null)).toEqual(['documentType', 'document_front', 'selfie', 'liveness']);
    expect(capturePlan(session(), 'id_card')).toEqual([
      'documentType',
      'document_front',
      'document_back',
      'selfie',
      'liveness',
    ]);
    expect(
      capturePlan(
        session({ document: { types: ['passport'], needsBack: { passport: false } }, steps: ['consent', 'document'] }),
        null,
      ),
    ).toEqual(['document_front']);
    expect(capturePlan(session({ steps: ['consent', 'selfie', 'liveness'], document: null }), null)).toEqual([
      'selfie',
      'liveness',
    ]);
  });

  test('a Face Liveness session replaces the head-turn photos with the video step, after the selfie', () => {
    expect(capturePlan(session({ liveness: { mode: 'face_liveness' }, challenge: null }), 'passport')).toEqual([
      'documentType',
      'document_front',
      'selfie',
      'face_liveness',
    ]);
    expect(capturePlan(session({ liveness: { mode: 'challenge' } }), 'passport')).toEqual([
      'documentType',
      'document_front',
      'selfie',
      'liveness',
    ]);
    // No liveness step in the flow: neither kind, whatever the mode says.
    expect(
      capturePlan(session({ steps: ['consent', 'selfie'], document: null, liveness: { mode: 'face_liveness' } }), null),
    ).toEqual(['selfie']);
    // A head-turn session without prompts has nothing to capture.
    expect(
      capturePlan(session({ steps: ['consent', 'selfie', 'liveness'], document: null, challenge: null }), null),
    ).toEqual(['selfie']);
  });

  test('outcomes: retry only while the session is pending with attempts left', () => {
    const retry = session({
      lastAttempt: {
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['BAD_FACE_MATCHING', 'BAD_FACE_MATCHING'],
      },
      attempts: { used: 1, max: 3, left: 2 },
    });
    expect(outcomeOf(retry)).toEqual({ outcome: 'declinedRetry', reasonCodes: ['BAD_FACE_MATCHING'] });
    expect(
      outcomeOf(session({ status: 'declined', declineType: 'final', reasonCodes: ['ATTEMPTS_EXHAUSTED'] })),
    ).toEqual({ outcome: 'declinedFinal', reasonCodes: ['ATTEMPTS_EXHAUSTED'] });
    expect(outcomeOf(session({ status: 'approved' }))?.outcome).toBe('approved');
    expect(outcomeOf(session({ status: 'review', reasonCodes: ['CHECK_ERROR'] }))?.outcome).toBe('review');
    expect(outcomeOf(session())).toBeNull();
  });

  test('API failures map to their pages', () => {
    expect(pageErrorOf(new ApiError(401, 'session_expired'))).toBe('expired');
    expect(pageErrorOf(new ApiError(401, 'invalid_token'))).toBe('invalid');
    expect(pageErrorOf(new ApiError(409, 'session_finished'))).toBe('finished');
    expect(pageErrorOf(new ApiError(0, 'network_error'))).toBe('network');
    expect(pageErrorOf(new ApiError(500, 'internal_error'))).toBe('generic');
  });

  test('camera errors map to one screen each', () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(classifyCameraError(named('NotAllowedError'))).toBe('denied');
    expect(classifyCameraError(named('NotFoundError'))).toBe('notFound');
    expect(classifyCameraError(named('NotReadableError'))).toBe('busy');
    expect(classifyCameraError(named('OverconstrainedError'))).toBe('notFound');
  });
});

describe('the view reducer', () => {
  const run = (actions: FlowAction[], from: FlowState = initialFlowState): FlowState =>
    actions.reduce(flowReducer, from);
  const views = (actions: FlowAction[], from: FlowState = initialFlowState): FlowState['view'][] => {
    const seen: FlowState['view'][] = [];
    actions.reduce((state, action) => {
      const next = flowReducer(state, action);
      seen.push(next.view);
      return next;
    }, from);
    return seen;
  };
  const read = (over: Partial<Session>, entry: 'open' | 'update' | 'retry' = 'open'): FlowAction => ({
    type: 'sessionRead',
    session: session(over),
    entry,
  });

  test('opening a link shows the view its session is in', () => {
    const opened = (over: Partial<Session>) => run([read(over)]).view;
    expect(opened({ consent: { given: false, textVersion: 'v1' } })).toEqual({ kind: 'welcome' });
    expect(opened({})).toEqual({ kind: 'capture', step: 'documentType' });
    expect(opened({ mode: 'test' })).toEqual({ kind: 'testMode' });
    expect(opened({ status: 'in_progress' })).toEqual({ kind: 'processing' });
    expect(opened({ status: 'expired' })).toEqual({ kind: 'error', error: 'expired' });
    // A link whose verification already ended says so; the same session reached during the flow is a result.
    expect(opened({ status: 'approved' })).toEqual({ kind: 'error', error: 'finished' });
    expect(run([read({ status: 'approved' }, 'update')]).view).toEqual({ kind: 'result' });
    expect(run([read({ status: 'declined', reasonCodes: ['CONSENT_DECLINED'] }, 'update')]).view).toEqual({
      kind: 'consentDeclined',
    });
    // Consent not given during the flow (not on opening): straight to the consent page, no welcome.
    expect(run([read({ consent: { given: false, textVersion: 'v1' } }, 'update')]).view).toEqual({ kind: 'consent' });
  });

  test('a whole attempt: welcome, consent, type choice, both sides, selfie, head turns, submit, processing', () => {
    const shown = views([
      read({ consent: { given: false, textVersion: 'v1' } }),
      { type: 'consentOpened' },
      read({}, 'update'),
      { type: 'documentTypeChosen', documentType: 'id_card' },
      { type: 'captured', step: 'document_front' },
      { type: 'captured', step: 'document_back' },
      { type: 'captured', step: 'selfie' },
      { type: 'captured', step: 'liveness' },
      { type: 'submitted', session: session({ status: 'in_progress' }) },
    ]);
    expect(shown).toEqual([
      { kind: 'welcome' },
      { kind: 'consent' },
      { kind: 'capture', step: 'documentType' },
      { kind: 'capture', step: 'document_front' },
      { kind: 'capture', step: 'document_back' },
      { kind: 'capture', step: 'selfie' },
      { kind: 'capture', step: 'liveness' },
      { kind: 'submitting', documentType: 'id_card' },
      { kind: 'processing' },
    ]);
  });

  test('the flow without a choice submits its only type; a flow without a document submits none', () => {
    const passportOnly = session({ document: { types: ['passport'], needsBack: { passport: false } } });
    expect(
      views(
        [
          { type: 'sessionRead', session: passportOnly, entry: 'open' },
          { type: 'captured', step: 'document_front' },
          { type: 'captured', step: 'selfie' },
          { type: 'captured', step: 'liveness' },
        ],
        initialFlowState,
      ).map((view) => (view.kind === 'capture' ? view.step : view)),
    ).toEqual(['document_front', 'selfie', 'liveness', { kind: 'submitting', documentType: 'passport' }]);
    expect(
      run([read({ steps: ['consent', 'selfie'], document: null }), { type: 'captured', step: 'selfie' }]).view,
    ).toEqual({ kind: 'submitting', documentType: null });
  });

  test('"try again" after a retryable decline starts the new attempt with the type chosen before', () => {
    const declined: Partial<Session> = {
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['BAD_FACE_MATCHING'] },
      attempts: { used: 1, max: 3, left: 2 },
    };
    const afterFirst = run([read({}), { type: 'documentTypeChosen', documentType: 'id_card' }]);
    const decided = run([read(declined, 'update')], afterFirst);
    expect(decided.view).toEqual({ kind: 'result' });
    const again = run([read(declined, 'retry')], decided);
    expect(again.view).toEqual({ kind: 'capture', step: 'documentType' });
    expect(again.documentType).toBe('id_card');
    expect(run([{ type: 'documentTypeChosen', documentType: 'id_card' }], again).view).toEqual({
      kind: 'capture',
      step: 'document_front',
    });
    // Meanwhile the verification ended (say the integrator declined it): the retry shows that result.
    expect(run([read({ status: 'declined', declineType: 'final' }, 'retry')], decided).view).toEqual({
      kind: 'result',
    });
  });

  test('missing captures restart the attempt; consent declined, handoff, failures and upload preference', () => {
    const submitting = run([read({}), { type: 'documentTypeChosen', documentType: 'passport' }]);
    expect(run([{ type: 'capturesMissing' }], submitting).view).toEqual({ kind: 'capture', step: 'documentType' });
    const nothingToCapture = run([read({ steps: ['consent'], document: null })]);
    expect(nothingToCapture.view).toEqual({ kind: 'submitting', documentType: null });
    expect(run([{ type: 'capturesMissing' }], nothingToCapture).view).toEqual({ kind: 'error', error: 'generic' });

    const declined = session({ status: 'declined', reasonCodes: ['CONSENT_DECLINED'] });
    expect(run([{ type: 'consentDeclined', session: declined }], submitting)).toMatchObject({
      session: declined,
      view: { kind: 'consentDeclined' },
    });
    expect(run([{ type: 'handoffOpened' }], submitting).view).toEqual({ kind: 'handoff' });
    expect(run([{ type: 'failed', error: 'network' }], submitting).view).toEqual({ kind: 'error', error: 'network' });
    expect(run([{ type: 'loading' }], submitting).view).toEqual({ kind: 'loading' });
    expect(run([{ type: 'uploadPreferred' }], submitting).documentByUpload).toBe(true);
  });

  test('capture steps before any session is read change nothing; the reducer never mutates its input', () => {
    const frozen = Object.freeze({ ...initialFlowState });
    expect(flowReducer(frozen, { type: 'captured', step: 'selfie' })).toBe(frozen);
    expect(flowReducer(frozen, { type: 'capturesMissing' })).toBe(frozen);
    const before = run([read({})]);
    const copy = structuredClone(before);
    flowReducer(before, { type: 'documentTypeChosen', documentType: 'id_card' });
    expect(before).toEqual(copy);
  });

  test('step labels, the step after a capture, and which error pages offer a retry', () => {
    expect(stepPosition(['consent', 'document', 'selfie'], 'selfie')).toEqual({ current: 3, total: 3 });
    expect(stepPosition(['consent', 'selfie'], 'document')).toBeNull();
    expect(captureAfter(['document_front', 'selfie'], 'document_front')).toBe('selfie');
    expect(captureAfter(['document_front', 'selfie'], 'selfie')).toBeNull();
    expect(['expired', 'invalid', 'finished', 'network', 'generic'].filter((e) => isRetryable(e as never))).toEqual([
      'network',
      'generic',
    ]);
    expect(
      ['denied', 'notFound', 'busy', 'insecure', 'unsupported'].filter((p) => isRetryableCameraProblem(p as never)),
    ).toEqual(['denied', 'notFound', 'busy']);
  });
});

describe('capture decisions', () => {
  /** A detected face `widthRatio` of the 1000-pixel frame wide, turned `yaw` degrees (30: turned left). */
  const face = (widthRatio: number, yaw = 0): DetectedFace => ({
    box: { x: 100, y: 100, width: widthRatio * 1000, height: widthRatio * 1200 },
    score: 0.9,
    landmarks: landmarks(yaw),
  });

  test('selfie guidance: one face, close enough, looking straight; the photo is taken after two steady frames', () => {
    expect(selfieGuidance([], FRAME)).toBe('searching');
    expect(selfieGuidance([face(0.4), face(0.3)], FRAME)).toBe('oneFace');
    expect(selfieGuidance([face(0.1)], FRAME)).toBe('closer');
    expect(selfieGuidance([face(0.4, 30)], FRAME)).toBe('lookStraight');
    expect(selfieGuidance([face(0.4)], FRAME)).toBe('hold');

    const first = judgeSelfieFrame(0, [face(0.4)], FRAME);
    expect(first).toEqual({ guidance: 'hold', stable: 1, take: false });
    expect(judgeSelfieFrame(first.stable, [face(0.4)], FRAME)).toEqual({ guidance: 'hold', stable: 2, take: true });
    // Any frame that is not steady starts the count again.
    expect(judgeSelfieFrame(first.stable, [face(0.4, 30)], FRAME)).toEqual({
      guidance: 'lookStraight',
      stable: 0,
      take: false,
    });
  });

  test('head turns: two matching frames in a row take the photo; a lone, large face is required', () => {
    const turned = [face(0.3, 30)];
    const once = judgeHeadTurnFrame(0, 'left', turned, FRAME);
    expect(once).toEqual({ matches: 1, take: false, noFace: false });
    expect(judgeHeadTurnFrame(once.matches, 'left', turned, FRAME)).toEqual({ matches: 2, take: true, noFace: false });
    expect(judgeHeadTurnFrame(once.matches, 'right', turned, FRAME)).toEqual({
      matches: 0,
      take: false,
      noFace: false,
    });
    expect(judgeHeadTurnFrame(1, 'left', [face(0.1, 30)], FRAME)).toEqual({ matches: 0, take: false, noFace: true });
    expect(judgeHeadTurnFrame(1, 'left', [face(0.3, 30), face(0.3, 30)], FRAME).noFace).toBe(true);
    expect(judgeHeadTurnFrame(0, 'centre', [], FRAME)).toEqual({ matches: 0, take: false, noFace: true });
  });

  test('progress dots keep one identity per frame, even when prompts repeat', () => {
    expect(promptDots(['left', 'left', 'right'], 1)).toEqual([
      { frame: 0, state: 'done' },
      { frame: 1, state: 'current' },
      { frame: 2, state: 'todo' },
    ]);
  });

  test('screen titles, review and upload messages name what the applicant can act on', () => {
    const t = translator('en');
    expect(issueText(t, 'tooSmall', { width: 320, height: 240 })).toContain('320 × 240');
    expect(issueText(t, 'noFace', { width: 1, height: 1 })).toBe(t.t('quality.noFace'));
    expect(uploadErrorText(t, new ApiError(413, 'file_too_large'))).toContain('10 MB');
    expect(uploadErrorText(t, new ApiError(0, 'network_error'))).toBe(t.t('error.network.body'));
    expect(uploadErrorText(t, new ApiError(500, 'internal_error'))).toBe(t.t('uploadError.generic'));
    expect(uploadErrorText(t, new Error('boom'))).toBe(t.t('uploadError.generic'));
    expect(documentSideTitle(t, 'document_front', 'passport')).toBe(t.t('document.passportTitle'));
    expect(documentSideTitle(t, 'document_back', 'id_card')).toBe(
      t.t('document.backTitle', { documentType: t.t('document.type.id_card') }),
    );
  });

  test('the processing bar starts at 5 %, only moves forward, and never claims 100 % before the result', () => {
    const samples = [0, 1000, 5000, 12000, 60000, 10 ** 9].map(progressPercent);
    expect(samples[0]).toBe(5);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    expect(Math.max(...samples)).toBe(95);
  });
});

describe('the result page', () => {
  test('the way back to the integrator appears once the verification is over, with the result in the URL', () => {
    const approved = resultPageOf(session({ status: 'approved', returnUrl: 'https://shop.example/done' }));
    expect(approved).toEqual({
      outcome: 'approved',
      reasonCodes: [],
      bodyKey: 'result.approved.body',
      returnUrl: 'https://shop.example/done?verificationId=vrf_1&status=approved',
    });
    const retryable = resultPageOf(
      session({
        returnUrl: 'https://shop.example/done',
        lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['BAD_FACE_MATCHING'] },
        attempts: { used: 1, max: 3, left: 2 },
      }),
    );
    expect(retryable).toMatchObject({ outcome: 'declinedRetry', returnUrl: null, reasonCodes: ['BAD_FACE_MATCHING'] });
  });

  test('a retry-type decline that ended the verification says so; no decision at all reads as in review', () => {
    const closed = resultPageOf(
      session({ status: 'declined', declineType: 'retry', reasonCodes: ['ATTEMPTS_EXHAUSTED'] }),
    );
    expect(closed).toMatchObject({ outcome: 'declinedFinal', bodyKey: 'result.declinedClosed.body' });
    expect(resultPageOf(session()).outcome).toBe('review');
  });
});

describe('Face Liveness step', () => {
  test('every error state of the AWS component maps to one of the page failure screens', () => {
    const states = [
      'CONNECTION_TIMEOUT',
      'TIMEOUT',
      'RUNTIME_ERROR',
      'FRESHNESS_TIMEOUT',
      'SERVER_ERROR',
      'CAMERA_FRAMERATE_ERROR',
      'CAMERA_ACCESS_ERROR',
      'FACE_DISTANCE_ERROR',
      'MOBILE_LANDSCAPE_ERROR',
      'MULTIPLE_FACES_ERROR',
      'DEFAULT_CAMERA_NOT_FOUND_ERROR',
    ];
    expect(Object.fromEntries(states.map((state) => [state, failureOf(state)]))).toEqual({
      CONNECTION_TIMEOUT: 'connection',
      TIMEOUT: 'timeout',
      RUNTIME_ERROR: 'runtime',
      FRESHNESS_TIMEOUT: 'timeout',
      SERVER_ERROR: 'server',
      CAMERA_FRAMERATE_ERROR: 'camera',
      CAMERA_ACCESS_ERROR: 'camera',
      FACE_DISTANCE_ERROR: 'face',
      MOBILE_LANDSCAPE_ERROR: 'landscape',
      MULTIPLE_FACES_ERROR: 'face',
      DEFAULT_CAMERA_NOT_FOUND_ERROR: 'camera',
    });
    expect(failureOf('SOMETHING_NEW')).toBe('runtime');
    // Each failure has a title and a body in every language.
    for (const catalog of [en, fr, ar] as Record<string, string>[]) {
      for (const failure of ['camera', 'timeout', 'face', 'landscape', 'connection', 'server', 'runtime']) {
        expect(catalog[`faceLiveness.failure.${failure}.title`]).toEqual(expect.any(String));
        expect(catalog[`faceLiveness.failure.${failure}.body`]).toEqual(expect.any(String));
      }
    }
  });

  test('the device clock offset comes from the server Date header (0 without one)', () => {
    const at = Date.parse('2026-11-29T20:00:00Z');
    expect(clockOffsetOf({ headers: new Headers({ date: 'Sun, 29 Nov 2026 17:00:00 GMT' }) }, at)).toBe(-3 * 3600_000);
    expect(clockOffsetOf({ headers: new Headers() }, at)).toBe(0);
    expect(clockOffsetOf({ headers: new Headers({ date: 'not a date' }) }, at)).toBe(0);
  });

  test('the component speaks French and Arabic with the same keys; other locales get English', () => {
    const frKeys = Object.keys(livenessDisplayText('fr')).sort();
    expect(Object.keys(livenessDisplayText('ar')).sort()).toEqual(frKeys);
    expect(frKeys).toEqual(
      expect.arrayContaining([
        'hintTooFarText',
        'hintHoldFaceForFreshnessText',
        'startScreenBeginCheckText',
        'cameraNotFoundHeadingText',
      ]),
    );
    expect(livenessDisplayText('de')).toBe(livenessDisplayText('en'));
  });

  describe('guest credentials from Cognito', () => {
    const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
    type Call = { url: string; target: string; body: unknown };

    function fakeCognito(expirySeconds: () => number, fail?: { target: string; status: number }) {
      const calls: Call[] = [];
      const fetchImpl = (async (url: string, init: RequestInit) => {
        const target = String((init.headers as Record<string, string>)['X-Amz-Target']);
        calls.push({ url, target, body: JSON.parse(String(init.body)) });
        if (fail && target.endsWith(fail.target))
          return new Response('{"__type":"ResourceNotFoundException"}', { status: fail.status });
        if (target.endsWith('.GetId')) return Response.json({ IdentityId: 'eu-west-1:guest-1' });
        return Response.json({
          IdentityId: 'eu-west-1:guest-1',
          Credentials: {
            AccessKeyId: `AKIA${calls.length}`,
            SecretKey: 'secret',
            SessionToken: 'token',
            Expiration: expirySeconds(),
          },
        });
      }) as unknown as typeof fetch;
      return { calls, fetchImpl };
    }

    test('GetId once, then GetCredentialsForIdentity; reused until five minutes before expiry', async () => {
      const expiry = Math.floor(Date.now() / 1000) + 3600;
      const cognito = fakeCognito(() => expiry);
      const provide = guestCredentialProvider('eu-west-1', POOL, cognito.fetchImpl);
      const first = await provide();
      expect(first).toEqual({
        accessKeyId: 'AKIA2',
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: new Date(expiry * 1000),
      });
      expect(cognito.calls).toEqual([
        {
          url: 'https://cognito-identity.eu-west-1.amazonaws.com/',
          target: 'AWSCognitoIdentityService.GetId',
          body: { IdentityPoolId: POOL },
        },
        {
          url: 'https://cognito-identity.eu-west-1.amazonaws.com/',
          target: 'AWSCognitoIdentityService.GetCredentialsForIdentity',
          body: { IdentityId: 'eu-west-1:guest-1' },
        },
      ]);
      expect(await provide()).toBe(first);
      expect(cognito.calls).toHaveLength(2);

      // Credentials close to expiry are renewed for the same identity.
      const nearly = fakeCognito(() => Math.floor(Date.now() / 1000) + 120);
      const renewing = guestCredentialProvider('eu-west-1', POOL, nearly.fetchImpl);
      await renewing();
      await renewing();
      expect(nearly.calls.map((c) => c.target.split('.')[1])).toEqual([
        'GetId',
        'GetCredentialsForIdentity',
        'GetCredentialsForIdentity',
      ]);
    });

    test('a misconfigured pool is a final error; throttling and network errors are retryable', async () => {
      const missing = guestCredentialProvider(
        'eu-west-1',
        POOL,
        fakeCognito(() => 0, { target: 'GetId', status: 400 }).fetchImpl,
      );
      await expect(missing()).rejects.toEqual(
        expect.objectContaining({ name: 'GuestCredentialsError', retryable: false }),
      );
      const throttled = guestCredentialProvider(
        'eu-west-1',
        POOL,
        fakeCognito(() => 0, { target: 'GetCredentialsForIdentity', status: 429 }).fetchImpl,
      );
      await expect(throttled()).rejects.toEqual(expect.objectContaining({ retryable: true }));
      const offline = guestCredentialProvider('eu-west-1', POOL, (async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch);
      const error = await offline().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GuestCredentialsError);
      expect((error as GuestCredentialsError).retryable).toBe(true);
    });
  });
});

describe('liveness recording (sequence-recorder)', () => {
  it('frames are 320 px wide, the longer side within the container limit', () => {
    expect(recordingSize(1280, 720)).toEqual({ width: 320, height: 180 });
    expect(recordingSize(720, 1280)).toEqual({ width: 320, height: 569 });
    expect(recordingSize(200, 150)).toEqual({ width: 200, height: 150 });
    expect(Math.max(...Object.values(recordingSize(300, 2000)))).toBeLessThanOrEqual(640);
  });

  it('stops at the container limits: frame count, frame size, total bytes, span', () => {
    const frame = { bytes: new Uint8Array(10), t: 0 };
    expect(frameFits([frame], 10, 200)).toBe(true);
    expect(
      frameFits(
        Array.from({ length: 300 }, () => frame),
        10,
        200,
      ),
    ).toBe(false);
    expect(frameFits([frame], 151 * 1024, 200)).toBe(false);
    expect(frameFits([{ bytes: new Uint8Array(RECORDING_MAX_FRAME_DATA_BYTES - 5), t: 0 }], 10, 200)).toBe(false);
    expect(frameFits([frame], 10, 120_001)).toBe(false);
  });

  it('builds the documented container the server parses, frames in capture order', async () => {
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer(),
    );
    expect(recordingBlob([{ bytes: jpeg, t: 0 }])).toBeNull(); // fewer than 3 frames show no motion
    const blob = recordingBlob([0, 400, 200].map((t) => ({ bytes: jpeg, t })));
    expect(blob?.type).toBe('application/vnd.kyc.frame-sequence');
    const parsed = parseFrameSequence(new Uint8Array(await blob!.arrayBuffer()));
    expect(parsed.ok && parsed.frames.map((f) => [f.t, f.width])).toEqual([
      [0, 32],
      [200, 32],
      [400, 32],
    ]);
  });
});

describe('face detector results (face-model)', () => {
  it('turns face-api results into plain, cloneable faces, largest first', () => {
    const result = (x: number, size: number, score: number) => ({
      detection: { box: { x, y: 10, width: size, height: size, area: size * size }, score },
      landmarks: { positions: [{ x: x + 1, y: 11, _x: x + 1 }] },
    });
    const faces = toDetectedFaces([result(0, 40, 0.9), result(100, 120, 0.6)]);
    expect(faces).toEqual([
      { box: { x: 100, y: 10, width: 120, height: 120 }, score: 0.6, landmarks: [{ x: 101, y: 11 }] },
      { box: { x: 0, y: 10, width: 40, height: 40 }, score: 0.9, landmarks: [{ x: 1, y: 11 }] },
    ]);
    // What crosses the worker boundary survives structured cloning unchanged (no class instances).
    expect(structuredClone(faces)).toEqual(faces);
  });
});
