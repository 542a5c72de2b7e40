import { webcrypto } from 'node:crypto';
import { routes } from '../../functions/http/routes';
import { ADMIN_API, ApiError, createApiClient, errorOf, queryString, requestHeaders } from '../../dashboard/src/api';
import {
  authorizeUrl,
  base64Url,
  beginSignIn,
  codeChallenge,
  completeSignIn,
  jwtClaims,
  randomToken,
  tokenRequestBody,
} from '../../dashboard/src/cognito';
import {
  apiQueryOfFilters,
  filtersFromSearch,
  NO_FILTERS,
  rangeIsBackwards,
  searchOfFilters,
} from '../../dashboard/src/filters';
import { changedSettings, formOfFlow, previewSteps, settingsOfForm } from '../../dashboard/src/flow-form';
import { chooseLocale, translator } from '../../dashboard/src/i18n';
import { ar } from '../../dashboard/src/i18n/ar';
import { en } from '../../dashboard/src/i18n/en';
import { fr } from '../../dashboard/src/i18n/fr';
import { hrefOf, mayOpen, NAV_PAGES, parseRoute, type Route } from '../../dashboard/src/navigation';
import { EMPTY_REVIEW_FORM, reviewBodyOf, toggleCode, validateReviewForm } from '../../dashboard/src/review-form';
import type { Flow } from '../../dashboard/src/api-types';

/** The dashboard's pure logic: routing, filters, forms, PKCE, API client, catalogs. */

describe('navigation', () => {
  const all: Route[] = [
    { page: 'signIn' },
    { page: 'verifications', search: '?status=review' },
    { page: 'verification', id: 'vrf_abc' },
    { page: 'review' },
    { page: 'reviewCase', id: 'vrf_abc' },
    { page: 'keys' },
    { page: 'flows' },
    { page: 'flow', id: 'flow_1' },
    { page: 'newFlow' },
    { page: 'webhooks' },
    { page: 'webhook', id: 'whe_1' },
    { page: 'audit' },
  ];

  test.each(all)('hrefOf and parseRoute are inverses: %o', (route) => {
    const url = new URL(hrefOf(route), 'https://kyc.example');
    expect(parseRoute(url.pathname, url.search)).toEqual(route);
  });

  test('/dashboard is the verifications list; unknown or malformed paths are not found', () => {
    expect(parseRoute('/dashboard')).toEqual({ page: 'verifications', search: '' });
    expect(parseRoute('/dashboard/')).toEqual({ page: 'verifications', search: '' });
    for (const path of ['/dashboard/nope', '/dashboard/keys/x', '/dashboard/verifications/a/b', '/elsewhere'])
      expect(parseRoute(path)).toEqual({ page: 'notFound' });
    expect(parseRoute('/dashboard/verifications/<x>')).toEqual({ page: 'notFound' });
  });

  test('pages follow the route table roles: a reviewer sees verifications, review and audit only', () => {
    expect(NAV_PAGES.filter((p) => mayOpen(p, 'reviewer'))).toEqual(['verifications', 'review', 'audit']);
    expect(NAV_PAGES.filter((p) => mayOpen(p, 'admin'))).toEqual([...NAV_PAGES]);
    expect(mayOpen('reviewCase', 'reviewer')).toBe(true);
    expect(mayOpen('newFlow', 'reviewer')).toBe(false);
    expect(mayOpen('signIn', 'reviewer')).toBe(true);
    // Every page's API route exists in the one route table.
    const ids = new Set<string>(routes.map((r) => r.id));
    for (const id of ['adminListVerifications', 'adminReviewQueue', 'adminListKeys', 'adminListAudit'])
      expect(ids.has(id)).toBe(true);
  });
});

describe('verification filters', () => {
  test('round trip through the page URL; junk is dropped', () => {
    const filters = {
      ...NO_FILTERS,
      status: 'review' as const,
      mode: 'test' as const,
      email: 'a@b.co',
      createdFrom: '2026-12-01',
      createdTo: '2026-12-05',
    };
    expect(filtersFromSearch(searchOfFilters(filters))).toEqual(filters);
    expect(searchOfFilters(NO_FILTERS)).toBe('');
    expect(filtersFromSearch('?status=bogus&mode=prod&from=yesterday&decision=approved')).toEqual({
      ...NO_FILTERS,
      decision: 'approved',
    });
  });

  test('the API query: created range as instants, "to" day included (exclusive next midnight)', () => {
    const query = apiQueryOfFilters(
      { ...NO_FILTERS, flowId: ' flow_1 ', createdFrom: '2026-12-01', createdTo: '2026-12-01' },
      'cur',
    );
    expect(query.flowId).toBe('flow_1');
    expect(query.cursor).toBe('cur');
    expect(query.status).toBeUndefined();
    const from = new Date(query.createdFrom as string);
    const to = new Date(query.createdTo as string);
    expect(to.getTime() - from.getTime()).toBe(
      86_400_000 - (to.getTimezoneOffset() - from.getTimezoneOffset()) * 60_000,
    );
    expect(from.getHours()).toBe(0);
    expect(rangeIsBackwards({ ...NO_FILTERS, createdFrom: '2026-12-02', createdTo: '2026-12-01' })).toBe(true);
    expect(rangeIsBackwards({ ...NO_FILTERS, createdFrom: '2026-12-01', createdTo: '2026-12-01' })).toBe(false);
  });
});

describe('flow editor form', () => {
  const flow: Flow = {
    id: 'flow_1',
    name: 'Passports',
    isDefault: false,
    checks: ['document', 'faceMatch'],
    documentTypes: ['passport'],
    issuingCountries: ['FRA'],
    thresholds: {
      faceMatchMaxDistance: 0.6,
      faceMatchMinSimilarity: 90,
      livenessMinTurnDegrees: 20,
      minFaceConfidence: 0.3,
    },
    minimumAge: 18,
    maxAttempts: 3,
    linkLifetimeSeconds: 3600,
    retentionDays: 30,
    livenessPrompts: 3,
    useFaceLivenessSession: false,
    steps: ['consent', 'document', 'selfie'],
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  };

  test('an unchanged form produces no changes; edits produce only the edited fields', () => {
    const form = formOfFlow(flow);
    const result = settingsOfForm(form);
    if (!('settings' in result)) throw new Error(JSON.stringify(result.errors));
    expect(changedSettings(flow, result.settings)).toEqual({});
    const edited = settingsOfForm({
      ...form,
      issuingCountries: 'fra, d  GBR,FRA',
      minimumAge: '',
      linkLifetimeMinutes: '90',
      thresholds: { ...form.thresholds, faceMatchMaxDistance: '0,5' },
    });
    if (!('settings' in edited)) throw new Error(JSON.stringify(edited.errors));
    expect(changedSettings(flow, edited.settings)).toEqual({
      issuingCountries: ['FRA', 'D', 'GBR'],
      minimumAge: null,
      linkLifetimeSeconds: 5400,
      thresholds: { ...flow.thresholds, faceMatchMaxDistance: 0.5 },
    });
  });

  test('a new flow starts from the server defaults (all three checks)', () => {
    const form = formOfFlow(null);
    expect(form.checks).toEqual(['document', 'liveness', 'faceMatch']);
    expect(form.maxAttempts).toBe('3');
    expect(form.linkLifetimeMinutes).toBe('60');
  });

  test('the same validation as the CLI and API, by field', () => {
    const result = settingsOfForm({
      ...formOfFlow(flow),
      name: ' ',
      checks: [],
      maxAttempts: '99',
      linkLifetimeMinutes: '1',
      issuingCountries: 'France',
      thresholds: { ...formOfFlow(flow).thresholds, minFaceConfidence: 'abc' },
    });
    expect('errors' in result && Object.keys(result.errors).sort()).toEqual([
      'checks',
      'issuingCountries.0',
      'linkLifetimeMinutes',
      'maxAttempts',
      'name',
      'thresholds.minFaceConfidence',
    ]);
  });

  test('the preview follows the checks: document + face match = consent, document, selfie', () => {
    expect(previewSteps(['document', 'faceMatch'])).toEqual(['consent', 'document', 'selfie']);
    expect(previewSteps(['document'])).toEqual(['consent', 'document']);
    expect(previewSteps(['liveness'])).toEqual(['consent', 'selfie', 'liveness']);
  });
});

describe('review decision form', () => {
  test('decision and a note are required; the note is trimmed', () => {
    expect(validateReviewForm(EMPTY_REVIEW_FORM)).toEqual({ decision: 'required', note: 'required' });
    expect(reviewBodyOf({ ...EMPTY_REVIEW_FORM, decision: 'approved' })).toBeNull();
    expect(validateReviewForm({ ...EMPTY_REVIEW_FORM, decision: 'approved', note: 'x'.repeat(2001) })).toEqual({
      note: 'tooLong',
    });
    expect(reviewBodyOf({ ...EMPTY_REVIEW_FORM, decision: 'approved', declineType: 'retry', note: '  ok  ' })).toEqual({
      decision: 'approved',
      note: 'ok',
    });
  });

  test('decline carries its type; codes only when chosen (else the automated ones stay)', () => {
    const codes = toggleCode(toggleCode(['BAD_FACE_MATCHING'], 'EXPIRATION_DATE', true), 'BAD_FACE_MATCHING', false);
    expect(codes).toEqual(['EXPIRATION_DATE']);
    expect(
      reviewBodyOf({ decision: 'declined', declineType: 'final', reasonCodes: codes, note: 'Expired passport' }),
    ).toEqual({
      decision: 'declined',
      declineType: 'final',
      reasonCodes: ['EXPIRATION_DATE'],
      note: 'Expired passport',
    });
  });
});

describe('Cognito hosted login (code + PKCE)', () => {
  const settings = { cognitoDomain: 'https://kyc.auth.eu-west-1.amazoncognito.com', clientId: 'client123' };
  const redirect = 'https://d1.cloudfront.net/dashboard/';

  test('verifier: 43+ unreserved characters; challenge: RFC 7636 appendix B example', async () => {
    const token = randomToken(64, (b) => webcrypto.getRandomValues(b));
    expect(token).toMatch(/^[A-Za-z0-9\-._~]{43,}$/);
    // Bytes at or above 198 are skipped (uniform choice), never turned into symbols.
    let next = 190;
    const counting = (b: Uint8Array) => b.map(() => next++ % 256);
    expect(randomToken(70, counting)).toBe(
      `${'6789-._~'}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'.slice(0, 62)}`,
    );
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
    expect(base64Url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  test('authorize URL and token request carry the code flow with S256, no client secret', () => {
    const url = new URL(authorizeUrl(settings, redirect, 'st', 'ch'));
    expect(url.origin + url.pathname).toBe(`${settings.cognitoDomain}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: redirect,
      scope: 'openid email profile',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    const body = new URLSearchParams(tokenRequestBody(settings, redirect, 'code1', 'ver'));
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'code1',
      redirect_uri: redirect,
      code_verifier: 'ver',
    });
    expect(body.has('client_secret')).toBe(false);
  });

  test('a full sign-in: state checked, code redeemed with the verifier; a forged callback is refused', async () => {
    const store = new Map<string, string>();
    const storage = {
      setItem: (k: string, v: string) => void store.set(k, v),
      getItem: (k: string) => store.get(k) ?? null,
      removeItem: (k: string) => void store.delete(k),
    };
    const url = new URL(await beginSignIn(settings, redirect, '/dashboard/keys', storage));
    const state = url.searchParams.get('state')!;
    const payload = Buffer.from(JSON.stringify({ exp: 2_000_000_000, email: 'op@example.com' })).toString('base64url');
    const idToken = `h.${payload}.s`;
    let sent: URLSearchParams | null = null;
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      sent = new URLSearchParams(String(init.body));
      return new Response(JSON.stringify({ id_token: idToken, access_token: 'a' }), { status: 200 });
    }) as unknown as typeof fetch;
    const done = await completeSignIn(settings, redirect, `?code=c1&state=${state}`, storage, fetchImpl);
    expect(done).toEqual({ tokens: { idToken, expiresAt: 2_000_000_000 }, returnTo: '/dashboard/keys' });
    expect(await codeChallenge(sent!.get('code_verifier')!)).toBe(url.searchParams.get('code_challenge'));
    // The pending sign-in is used once: replaying the callback fails.
    await expect(completeSignIn(settings, redirect, `?code=c1&state=${state}`, storage, fetchImpl)).rejects.toThrow(
      /state/,
    );
    await beginSignIn(settings, redirect, '/dashboard', storage);
    await expect(completeSignIn(settings, redirect, '?code=c1&state=forged', storage, fetchImpl)).rejects.toThrow(
      /state/,
    );
    expect(jwtClaims('not-a-jwt')).toBeNull();
  });
});

describe('admin API client', () => {
  test('query strings skip empty values', () => {
    expect(queryString({ a: 'x y', b: '', c: null, d: undefined, e: 0 })).toBe('?a=x+y&e=0');
    expect(queryString({})).toBe('');
  });

  test('CSRF token on state-changing requests only; bearer token when signed in through Cognito', () => {
    const local = { csrfToken: 'csrf1', bearerToken: null };
    expect(requestHeaders('GET', local, false)).toEqual({ Accept: 'application/json' });
    expect(requestHeaders('POST', local, true)).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-CSRF-Token': 'csrf1',
    });
    expect(requestHeaders('DELETE', { csrfToken: null, bearerToken: 'jwt' }, false)).toEqual({
      Accept: 'application/json',
      Authorization: 'Bearer jwt',
    });
  });

  test('errors keep the API error shape; a 401 signs the page out', async () => {
    expect(errorOf(409, { error: { code: 'conflict', message: 'Already decided.', details: [] } })).toMatchObject({
      status: 409,
      code: 'conflict',
      message: 'Already decided.',
    });
    expect(errorOf(502, '<html>')).toMatchObject({ status: 502, code: 'http_502' });
    let signedOut = 0;
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const client = createApiClient({
      credentials: () => ({ csrfToken: 't', bearerToken: null }),
      onUnauthorized: () => signedOut++,
      fetchImpl: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return url.endsWith('/keys')
          ? new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Sign in.', details: [] } }), {
              status: 401,
            })
          : new Response(JSON.stringify({ data: [] }), { status: 200 });
      }) as unknown as typeof fetch,
    });
    await expect(client.get('/keys')).rejects.toBeInstanceOf(ApiError);
    expect(signedOut).toBe(1);
    await expect(client.send('POST', '/flows', { name: 'x' })).resolves.toEqual({ data: [] });
    expect(calls[1]!.url).toBe(`${ADMIN_API}/flows`);
    expect(calls[1]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"name":"x"}' });
    await client.blob(`${ADMIN_API}/verifications/vrf_1/captures/cap_1`);
    expect(calls[2]!.url).toBe(`${ADMIN_API}/verifications/vrf_1/captures/cap_1?delivery=link`);
  });

  test('a large capture: the API gives a signed link; the page fetches it with no token, cookie or referrer', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const link = 'https://captures.s3.eu-west-1.amazonaws.com/captures/vrf_1/1/selfie.jpg?X-Amz-Signature=abc';
    const client = createApiClient({
      credentials: () => ({ csrfToken: null, bearerToken: 'id-token' }),
      onUnauthorized: () => undefined,
      fetchImpl: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        if (url.startsWith(ADMIN_API))
          return new Response(
            JSON.stringify({ data: { url: link, contentType: 'image/jpeg', expiresAt: '2026-12-05T10:01:00.000Z' } }),
            { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' } },
          );
        return new Response(new Uint8Array([0xff, 0xd8, 0xff]), {
          status: 200,
          headers: { 'Content-Type': 'image/jpeg' },
        });
      }) as unknown as typeof fetch,
    });
    const blob = await client.blob(`${ADMIN_API}/verifications/vrf_1/captures/cap_1`);
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(calls.map((c) => c.url)).toEqual([`${ADMIN_API}/verifications/vrf_1/captures/cap_1?delivery=link`, link]);
    expect(new Headers(calls[0]!.init.headers).get('Authorization')).toBe('Bearer id-token');
    // The signature in the URL is the only credential: S3 refuses a presigned GET that also has Authorization.
    expect(calls[1]!.init.headers).toBeUndefined();
    expect(calls[1]!.init).toMatchObject({ method: 'GET', credentials: 'omit', referrerPolicy: 'no-referrer' });
  });

  test('a small capture is the bytes of the API answer; a refused link is an error, not an image', async () => {
    const client = createApiClient({
      credentials: () => ({ csrfToken: null, bearerToken: 'id-token' }),
      onUnauthorized: () => undefined,
      fetchImpl: (async (url: string) =>
        url.startsWith(ADMIN_API)
          ? url.includes('cap_small')
            ? new Response(new Uint8Array([1, 2]), { status: 200, headers: { 'Content-Type': 'image/png' } })
            : new Response(
                JSON.stringify({ data: { url: 'https://s3.example/x', contentType: 'image/png', expiresAt: '' } }),
                {
                  status: 200,
                  headers: { 'Content-Type': 'application/json' },
                },
              )
          : new Response('<Error>AccessDenied</Error>', { status: 403 })) as unknown as typeof fetch,
    });
    const small = await client.blob(`${ADMIN_API}/verifications/vrf_1/captures/cap_small`);
    expect(Buffer.from(await small.arrayBuffer())).toEqual(Buffer.from([1, 2]));
    await expect(client.blob(`${ADMIN_API}/verifications/vrf_1/captures/cap_large`)).rejects.toMatchObject({
      status: 403,
      code: 'capture_link',
    });
  });
});

describe('catalogs', () => {
  test('French and Arabic translate every English key, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const catalog of [fr, ar]) {
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en))
        expect({ key, p: placeholders((catalog as Record<string, string>)[key]!) }).toEqual({
          key,
          p: placeholders(text),
        });
    }
  });

  test('language choice and direction', () => {
    expect(chooseLocale(null, ['ar-EG', 'en'])).toBe('ar');
    expect(chooseLocale('fr', ['ar'])).toBe('fr');
    expect(chooseLocale(null, ['de-DE'])).toBe('en');
    expect(translator('ar').dir).toBe('rtl');
    expect(translator('fr').t('evidence.attempt', { number: 2 })).toBe('Tentative 2');
    expect(translator('en').dynamic('status.review', 'x')).toBe('Review');
    expect(translator('en').dynamic('status.unknown', 'fallback')).toBe('fallback');
  });
});
