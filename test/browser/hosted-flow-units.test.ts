import { capturePlan, pageErrorOf } from '../../hosted-flow/src/App';
import { ApiError, clockOffsetOf, type Session } from '../../hosted-flow/src/api';
import { outcomeOf } from '../../hosted-flow/src/components/Result';
import { ar } from '../../hosted-flow/src/i18n/ar';
import { en } from '../../hosted-flow/src/i18n/en';
import { fr } from '../../hosted-flow/src/i18n/fr';
import { chooseLocale, translator } from '../../hosted-flow/src/i18n';
import { handoffUrl, returnUrlWithResult, takeVerifyLink } from '../../hosted-flow/src/link';
import { classifyCameraError } from '../../hosted-flow/src/media/camera';
import { poseMatches, yawProxy, type Point } from '../../hosted-flow/src/media/pose';
import { judgeQuality } from '../../hosted-flow/src/media/quality';
import { REASON_CODE_NAMES } from '../../functions/domain/reason-codes';
import { livenessDisplayText } from '../../hosted-flow/src/face-liveness/display-text';
import { failureOf } from '../../hosted-flow/src/face-liveness/failures';
import { GuestCredentialsError, guestCredentialProvider } from '../../hosted-flow/src/face-liveness/guest-credentials';

/** The hosted page's pure logic, without a browser: pose, quality, catalogs, link handling, routing. */

/** 68 landmarks of a face: eyes at y=100, nose tip 30 offset horizontally by `noseShift`, then rotated. */
function landmarks(noseShift: number, rollDegrees = 0): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 200, y: 150 }));
  for (let i = 36; i <= 41; i++) points[i] = { x: 160 + (i - 36), y: 100 };
  for (let i = 42; i <= 47; i++) points[i] = { x: 235 + (i - 42), y: 100 };
  points[30] = { x: 200 + noseShift, y: 140 };
  const angle = (rollDegrees * Math.PI) / 180;
  return points.map(({ x, y }) => ({
    x: 200 + (x - 200) * Math.cos(angle) - (y - 100) * Math.sin(angle),
    y: 100 + (x - 200) * Math.sin(angle) + (y - 100) * Math.cos(angle),
  }));
}

describe('head pose from landmarks', () => {
  test("frontal reads about 0; nose toward the image right is the subject's own left (positive)", () => {
    expect(yawProxy(landmarks(0))).toBeCloseTo(0, 5);
    expect(yawProxy(landmarks(20))!).toBeGreaterThan(0.2);
    expect(yawProxy(landmarks(-20))!).toBeLessThan(-0.2);
  });

  test('a head tilt (roll) is not read as a turn', () => {
    expect(yawProxy(landmarks(0, 25))).toBeCloseTo(0, 5);
    expect(yawProxy(landmarks(20, 25))).toBeCloseTo(yawProxy(landmarks(20))!, 5);
  });

  test('prompts match only the right pose, and incomplete landmarks give no reading', () => {
    expect(poseMatches('left', 0.3)).toBe(true);
    expect(poseMatches('left', -0.3)).toBe(false);
    expect(poseMatches('right', -0.3)).toBe(true);
    expect(poseMatches('right', 0.05)).toBe(false);
    expect(poseMatches('centre', 0.02)).toBe(true);
    expect(poseMatches('centre', 0.2)).toBe(false);
    expect(yawProxy(landmarks(0).slice(0, 40))).toBeNull();
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

describe('routing decisions', () => {
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
