import { EventStreamCodec, type Message } from '@smithy/core/event-streams';
import type { Page, WebSocketRoute } from 'playwright-core';
import type { CheckProvider, CheckResult, FaceLivenessSessionProvider, ImageInput } from '../../functions/ports/checks';

/**
 * A stand-in for the AWS side of Rekognition Face Liveness in browser tests: Cognito guest credentials
 * (GetId / GetCredentialsForIdentity) and the StartFaceLivenessSession WebSocket, answered inside the page's
 * network through Playwright routes, plus the server-side session provider the pipeline reads.
 *
 * The stream speaks the real wire format (AWS event-stream frames, SigV4-signed envelopes from the
 * browser): the service sends a FaceMovementChallenge whose oval and thresholds any face in view can
 * satisfy, collects the client's session events and video chunks, and closes the session with a
 * DisconnectionEvent after the client's end-of-video. Only a session whose video actually arrived has a
 * verdict; reading any other session fails like an open Rekognition session.
 */

export const REGION = 'eu-west-1';
export const IDENTITY_POOL_ID = `${REGION}:11111111-2222-3333-4444-555555555555`;
const ACCESS_KEY_ID = 'ASIAFAKEGUEST0000001';

export interface StreamedSession {
  sessionId: string;
  /** Query parameters of the WebSocket URL (SigV4 presigned). */
  query: Record<string, string>;
  challenge: ChallengeName;
  /** Every ClientSessionInformationEvent, in order. */
  clientEvents: Record<string, unknown>[];
  videoChunks: number;
  videoBytes: number;
  /** Every frame carried a `:chunk-signature` header (the SDK's per-message signing). */
  allFramesSigned: boolean;
  /** The client sent its end-of-video (empty chunk) and the service closed the session. */
  completed: boolean;
  /** Why the service refused the stream at connection, if it did. */
  rejected: 'signature_skew' | null;
}

const MAX_SIGNATURE_SKEW_MS = 5 * 60_000;

/** Distance between a SigV4 `X-Amz-Date` (20261129T203000Z) and now; Infinity when malformed. */
function signatureSkewMs(amzDate: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? '');
  if (!m) return Infinity;
  return Math.abs(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - Date.now());
}

/** What the next stream does: complete normally, or fail with a Rekognition service exception. */
export type StreamBehaviour = 'complete' | 'server_error';

/**
 * The challenge a stream gets. Rekognition's default is FaceMovementAndLightChallenge (oval, then a sequence
 * of colours flashed on screen); FaceMovementChallenge (oval only) is the lighter one a session can ask for.
 */
export type ChallengeName = 'FaceMovementAndLightChallenge' | 'FaceMovementChallenge';

const toUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const fromUtf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function header(message: Message, name: string): unknown {
  return message.headers[name]?.value;
}

function event(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function exception(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ Message: message })),
  });
}

export class FakeFaceLivenessService {
  /** Sessions created through the applicant API, in order. */
  readonly created: string[] = [];
  readonly streams: StreamedSession[] = [];
  readonly cognitoCalls: string[] = [];
  /** Behaviour of the following streams, consumed one per stream; afterwards streams complete. */
  readonly behaviours: StreamBehaviour[] = [];
  /** Challenge of the following streams, consumed one per stream; afterwards Rekognition's default. */
  readonly challenges: ChallengeName[] = [];

  constructor(
    /** What the pipeline gets for a streamed session. */
    private readonly verdict: { result: CheckResult; referenceImage: ImageInput | null },
  ) {}

  /** The server-side port: sessions as the AWS provider creates and reads them. */
  readonly sessions: FaceLivenessSessionProvider = {
    createFaceLivenessSession: async () => {
      const sessionId = `00000000-0000-4000-8000-${String(this.created.length + 1).padStart(12, '0')}`;
      this.created.push(sessionId);
      return { sessionId };
    },
    getFaceLivenessResult: async (sessionId) => {
      const streamed = this.streams.find((s) => s.sessionId === sessionId && s.completed && s.videoBytes > 0);
      // Rekognition answers SessionNotFound/"in progress" until the video is in: a transient error.
      if (!streamed) throw new Error(`Face Liveness session ${sessionId} has no completed video yet`);
      return this.verdict;
    },
  };

  /** `base` (e.g. the local checks) with this service's Face Liveness sessions. */
  provider(base: CheckProvider): CheckProvider {
    const sessions = this.sessions;
    return {
      name: base.name,
      ...(base.faceIndex ? { faceIndex: base.faceIndex } : {}),
      faceLivenessSessions: sessions,
      checkDocument: (input) => base.checkDocument(input),
      checkFaceMatch: (input) => base.checkFaceMatch(input),
      checkLiveness: (input) => base.checkLiveness(input),
      faceTemplate: (image) => base.faceTemplate(image),
      warmUp: () => base.warmUp(),
    };
  }

  /** Answers Cognito and the streaming endpoint for this page. */
  async attach(page: Page): Promise<void> {
    await page.route(`https://cognito-identity.${REGION}.amazonaws.com/`, async (route) => {
      const target = route.request().headers()['x-amz-target'] ?? '';
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      this.cognitoCalls.push(target);
      const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
      if (route.request().method() === 'OPTIONS')
        return route.fulfill({ status: 200, headers: { ...cors, 'Access-Control-Allow-Methods': 'POST' } });
      if (target.endsWith('.GetId') && body.IdentityPoolId === IDENTITY_POOL_ID) {
        return route.fulfill({
          status: 200,
          headers: cors,
          contentType: 'application/x-amz-json-1.1',
          body: JSON.stringify({ IdentityId: `${REGION}:guest-0001` }),
        });
      }
      if (target.endsWith('.GetCredentialsForIdentity') && body.IdentityId === `${REGION}:guest-0001`) {
        const Credentials = {
          AccessKeyId: ACCESS_KEY_ID,
          SecretKey: 'fake-secret',
          SessionToken: 'fake-session-token',
          Expiration: Math.floor(Date.now() / 1000) + 3600,
        };
        return route.fulfill({
          status: 200,
          headers: cors,
          contentType: 'application/x-amz-json-1.1',
          body: JSON.stringify({ IdentityId: body.IdentityId, Credentials }),
        });
      }
      return route.fulfill({
        status: 400,
        headers: cors,
        contentType: 'application/x-amz-json-1.1',
        body: JSON.stringify({ __type: 'ResourceNotFoundException' }),
      });
    });
    await page.routeWebSocket(
      new RegExp(
        `^wss://streaming-rekognition\\.${REGION}\\.amazonaws\\.com(:443)?/start-face-liveness-session-websocket`,
      ),
      (ws) => this.stream(ws),
    );
  }

  private stream(ws: WebSocketRoute): void {
    const url = new URL(ws.url());
    const query = Object.fromEntries(url.searchParams);
    const session: StreamedSession = {
      sessionId: query['session-id'] ?? '',
      query,
      challenge: this.challenges.shift() ?? 'FaceMovementAndLightChallenge',
      clientEvents: [],
      videoChunks: 0,
      videoBytes: 0,
      allFramesSigned: true,
      completed: false,
      rejected: null,
    };
    this.streams.push(session);
    const behaviour = this.behaviours.shift() ?? 'complete';

    // Like Rekognition: the challenge comes first, as soon as the socket is open.
    setTimeout(() => {
      if (signatureSkewMs(query['X-Amz-Date']) > MAX_SIGNATURE_SKEW_MS) {
        // SigV4 refuses a request signed more than five minutes off the service's clock.
        session.rejected = 'signature_skew';
        ws.send(Buffer.from(exception('InvalidSignatureException', 'Signature expired or not yet current')));
        return;
      }
      if (behaviour === 'server_error') {
        ws.send(Buffer.from(exception('InternalServerException', 'injected by the test')));
        return;
      }
      const challenge =
        session.challenge === 'FaceMovementChallenge'
          ? PERMISSIVE_CHALLENGE
          : { ...PERMISSIVE_CHALLENGE, LightChallengeType: 'SEQUENTIAL', ColorSequences: COLOR_SEQUENCES };
      ws.send(
        Buffer.from(
          event('ServerSessionInformationEvent', {
            SessionInformation: { Challenge: { [session.challenge]: challenge } },
          }),
        ),
      );
    }, 100);

    ws.onMessage((data) => {
      const envelope = codec.decode(typeof data === 'string' ? fromUtf8(data) : new Uint8Array(data));
      if (!(header(envelope, ':chunk-signature') instanceof Uint8Array)) session.allFramesSigned = false;
      if (envelope.body.length === 0) return; // the signed end-of-stream frame
      const inner = codec.decode(envelope.body);
      const type = header(inner, ':event-type');
      const payload = JSON.parse(toUtf8(inner.body)) as Record<string, unknown>;
      if (type === 'ClientSessionInformationEvent') {
        session.clientEvents.push(payload);
      } else if (type === 'VideoEvent') {
        const bytes = typeof payload.VideoChunk === 'string' ? Buffer.from(payload.VideoChunk, 'base64').length : 0;
        if (bytes > 0) {
          session.videoChunks++;
          session.videoBytes += bytes;
        } else if (!session.completed && session.clientEvents.some(hasTargetFace)) {
          // The empty chunk after the final session event: the video is complete.
          session.completed = true;
          ws.send(Buffer.from(event('DisconnectionEvent', { TimestampMillis: Date.now() })));
        }
      }
    });
  }
}

function hasTargetFace(clientEvent: Record<string, unknown>): boolean {
  return JSON.stringify(clientEvent).includes('"TargetFace"');
}

/**
 * A challenge any single face in view passes at once: a large centred oval (for 640x480 video), "far
 * enough" for any face size, and an overlap threshold any face inside it meets. Real sessions place the
 * oval randomly and ask the applicant to move closer; the browser logic is the same.
 */
const PERMISSIVE_CHALLENGE = {
  OvalParameters: { Width: 420, Height: 460, CenterX: 320, CenterY: 240 },
  ChallengeConfig: {
    BlazeFaceDetectionThreshold: 0.75,
    FaceDistanceThresholdMin: 5,
    FaceDistanceThreshold: 5,
    FaceDistanceThresholdMax: 0.1,
    OvalIouThreshold: 0.02,
    OvalHeightWidthRatio: 1.618,
    OvalIouWidthThreshold: 0.25,
    OvalIouHeightThreshold: 0.25,
    FaceIouWidthThreshold: 0.15,
    FaceIouHeightThreshold: 0.15,
    OvalFitTimeout: 7000,
  },
};

/** A short colour sequence (real ones are longer): the first colour is shown flat, the others scroll down. */
export const COLOR_SEQUENCES = [
  { FreshnessColor: { RGB: [255, 255, 255] }, DownscrollDuration: 0, FlatDisplayDuration: 100 },
  { FreshnessColor: { RGB: [255, 0, 0] }, DownscrollDuration: 150, FlatDisplayDuration: 0 },
  { FreshnessColor: { RGB: [0, 255, 0] }, DownscrollDuration: 150, FlatDisplayDuration: 0 },
  { FreshnessColor: { RGB: [0, 0, 255] }, DownscrollDuration: 150, FlatDisplayDuration: 0 },
];
