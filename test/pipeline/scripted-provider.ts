import type { CheckName, HeadPrompt } from '../../functions/domain/model';
import type {
  CheckProvider,
  CheckResult,
  DocumentCheckInput,
  DocumentCheckResult,
  DocumentFields,
  FaceIndex,
  FaceMatchInput,
  FaceTemplate,
  ImageInput,
  LivenessInput,
} from '../../functions/ports/checks';

/** A 1x1 PNG's magic bytes plus a marker, enough for content-type sniffing and identity checks in tests. */
export const PORTRAIT_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('portrait'),
]);

export function documentFields(overrides: Partial<DocumentFields> = {}): DocumentFields {
  return {
    documentType: 'passport',
    mrzFormat: 'TD3',
    mrzLines: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'],
    issuingCountry: 'UTO',
    documentNumber: 'L898902C3',
    surname: 'ERIKSSON',
    givenNames: 'ANNA MARIA',
    nationality: 'UTO',
    birthDate: '1974-08-12',
    expiryDate: '2032-04-15',
    sex: 'F',
    checkDigits: { documentNumber: true, birthDate: true, expiryDate: true, composite: true },
    ...overrides,
  };
}

export function checkResult(check: CheckName, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    check,
    outcome: 'pass',
    scores: {},
    reasonCodes: [],
    riskFlags: [],
    extracted: {},
    timings: [{ step: 'scripted', ms: 1 }],
    provider: 'scripted',
    ...overrides,
  };
}

export function documentResult(overrides: Partial<DocumentCheckResult> = {}): DocumentCheckResult {
  const fields = overrides.fields === undefined ? documentFields() : overrides.fields;
  return {
    ...checkResult('document'),
    extracted: { fields, ocrConfidence: 0.97, rawText: fields?.mrzLines?.join('\n') ?? '' },
    fields,
    portrait: PORTRAIT_BYTES,
    ...overrides,
    check: 'document',
  };
}

type Scripted<I, O> = O | ((input: I) => O);

/**
 * A server-side face index like the AWS Rekognition collections: no vectors leave it. A face is the part of the
 * image's text before `#`, so `face-a#1` and `face-a#2` are the same face.
 */
export class MemoryFaceIndex implements FaceIndex {
  faces: { orgId: string; verificationId: string; face: string; faceId: string }[] = [];
  /** How deleteFaces was asked to find faces: by stored ids or by scanning for a verification id. */
  deleteCalls: Array<{ faceIds: string[] } | { verificationId: string }> = [];
  private indexed = 0;

  async indexFace(orgId: string, verificationId: string, image: ImageInput): Promise<{ faceId: string | null }> {
    const faceId = `face-${++this.indexed}`;
    this.faces.push({ orgId, verificationId, face: faceOf(image), faceId });
    return { faceId };
  }

  async searchDuplicates(orgId: string, image: ImageInput, opts: { excludeVerificationId?: string } = {}) {
    const face = faceOf(image);
    const ids = new Set(
      this.faces
        .filter((f) => f.orgId === orgId && f.face === face && f.verificationId !== opts.excludeVerificationId)
        .map((f) => f.verificationId),
    );
    return [...ids].map((verificationId) => ({ verificationId, similarity: 99 }));
  }

  async deleteFaces(orgId: string, target: { faceIds: string[] } | { verificationId: string }): Promise<number> {
    this.deleteCalls.push(target);
    const before = this.faces.length;
    const doomed = (f: (typeof this.faces)[number]) =>
      'faceIds' in target ? target.faceIds.includes(f.faceId) : f.verificationId === target.verificationId;
    this.faces = this.faces.filter((f) => !(f.orgId === orgId && doomed(f)));
    return before - this.faces.length;
  }
}

function faceOf(image: ImageInput): string {
  return image.bytes.toString('utf8').split('#')[0]!;
}

/**
 * A CheckProvider whose answers are set by the test, which counts calls, keeps the inputs it saw, and can
 * throw on demand (`failures.document = 2` fails the next two document checks; Infinity fails all).
 */
export class ScriptedProvider implements CheckProvider {
  readonly name = 'scripted';
  /** Set to a {@link MemoryFaceIndex} to behave like the AWS provider (duplicates searched server-side). */
  faceIndex: FaceIndex | undefined = undefined;
  document: Scripted<DocumentCheckInput, DocumentCheckResult> = documentResult();
  liveness: Scripted<LivenessInput, CheckResult> = checkResult('liveness');
  faceMatch: Scripted<FaceMatchInput, CheckResult> = checkResult('faceMatch', {
    scores: { distance: 0.3, threshold: 0.6 },
  });
  /** Face vectors by image content (utf8 of the bytes); images not listed have no single face. */
  templates = new Map<string, number[]>();
  failures: Partial<Record<'document' | 'liveness' | 'faceMatch' | 'faceTemplate', number>> = {};
  calls = { document: 0, liveness: 0, faceMatch: 0, faceTemplate: 0 };
  seen: { document: DocumentCheckInput[]; liveness: LivenessInput[]; faceMatch: FaceMatchInput[] } = {
    document: [],
    liveness: [],
    faceMatch: [],
  };

  async checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult> {
    this.calls.document++;
    this.seen.document.push(input);
    this.maybeFail('document');
    return typeof this.document === 'function' ? this.document(input) : this.document;
  }

  async checkFaceMatch(input: FaceMatchInput): Promise<CheckResult> {
    this.calls.faceMatch++;
    this.seen.faceMatch.push(input);
    this.maybeFail('faceMatch');
    return typeof this.faceMatch === 'function' ? this.faceMatch(input) : this.faceMatch;
  }

  async checkLiveness(input: LivenessInput): Promise<CheckResult> {
    this.calls.liveness++;
    this.seen.liveness.push(input);
    this.maybeFail('liveness');
    return typeof this.liveness === 'function' ? this.liveness(input) : this.liveness;
  }

  async faceTemplate(image: ImageInput): Promise<FaceTemplate | null> {
    this.calls.faceTemplate++;
    this.maybeFail('faceTemplate');
    const vector = this.templates.get(image.bytes.toString('utf8'));
    return vector ? { provider: this.name, vector } : null;
  }

  async warmUp(): Promise<void> {}

  private maybeFail(kind: keyof ScriptedProvider['failures']): void {
    const left = this.failures[kind] ?? 0;
    if (left > 0) {
      this.failures[kind] = left - 1;
      throw new Error(`scripted ${kind} failure`);
    }
  }
}

export type { HeadPrompt };
