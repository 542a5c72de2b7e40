/**
 * Stand-ins for the AWS services without an emulator, speaking their JSON protocols (X-Amz-Target) on one
 * loopback port:
 * - KMS (TrentService): really encrypts (AES-256-GCM per key, the encryption context as AAD, so a wrong
 *   context or key fails) and computes HMAC-SHA-256 for HMAC keys; key usage is enforced.
 * - Rekognition and Textract: answers in the shape of the recorded response fixtures (test/checks/aws-fixtures.ts)
 *   about two kinds of image, told apart by their pixels ({@link isFlatColour}):
 *   - a colour-coded synthetic world (see {@link syntheticImage}): the image's colour says whose face or
 *     document it shows and how the head is turned, and survives crops and re-encoding;
 *   - real photographs (test/aws-e2e/photo-faces.ts): DetectFaces, CompareFaces, IndexFaces and
 *     SearchFacesByImage answer what the product's own offline face model (face-api, as the local provider
 *     runs it) finds: the faces, their yaw from the landmarks, and a similarity computed from the descriptor
 *     distance, mapped to Rekognition's 0-100 scale through the pair the default flow thresholds put on one
 *     line (distance 0.6 = similarity 90). DetectDocumentText answers the MRZ recorded for that exact image
 *     (testdata labels.json, by SHA-256 of the bytes), and no text for any other photo.
 *   Nothing answers "match" for an image it has not looked at; a synthetic face is nobody in a photograph.
 *   Collections are kept.
 * - Step Functions (AWSStepFunctions): StartExecution/DescribeExecution run the template's definition with
 *   aws-local-stepfunctions in the background, each Lambda ARN invoking that function's bundled asset.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaceDetail } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { StateMachine } from 'aws-local-stepfunctions';
import { PERSON_A_MRZ, faceDetail, td3, textractBlocks } from '../checks/aws-fixtures';
import type { LambdaHost } from './lambda-host';
import { isFlatColour, type PhotoFace, photoFaces, photoSimilarity, recordedMrzLines } from './photo-faces';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); Node 20 lacks it.
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- the synthetic world

export type Person = 'a' | 'b' | 'c';
export type Pose = 'left' | 'centre' | 'right';
export type Kind = 'document' | 'selfie' | 'frame' | 'blank';

const PERSON_RED: Record<Person, number> = { a: 40, b: 110, c: 180 };
const POSE_GREEN: Record<Pose, number> = { left: 50, centre: 130, right: 210 };
const KIND_BLUE: Record<Kind, number> = { document: 40, selfie: 100, frame: 160, blank: 220 };

const POSE_OF_DOCUMENT: Record<Person, Pose> = { a: 'left', b: 'centre', c: 'right' };

/** The flat colour a synthetic capture encodes (see {@link syntheticImage}). */
function colourOf(person: Person, kind: Kind, pose: Pose, documentOf: Person): [number, number, number] {
  return [PERSON_RED[person], POSE_GREEN[kind === 'document' ? POSE_OF_DOCUMENT[documentOf] : pose], KIND_BLUE[kind]];
}

/**
 * A JPEG whose colour encodes what it shows: red = whose face, blue = what kind of capture, green = the head
 * pose (faces) or whose identity the document names (documents: normally the face's owner; another person's
 * makes a document with someone else's photo). Noise keeps it from compressing to nothing.
 */
export async function syntheticImage(
  person: Person,
  kind: Kind,
  pose: Pose = 'centre',
  documentOf: Person = person,
): Promise<Buffer> {
  const width = 640;
  const height = 480;
  const raw = Buffer.alloc(width * height * 3);
  const base = colourOf(person, kind, pose, documentOf);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.max(0, Math.min(255, base[i % 3]! + ((i * 7919) % 9) - 4));
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * The {@link syntheticImage} capture as a camera's full-size JPEG of 6-7 MB (2300x1725, quality 100, no chroma
 * subsampling, grain that stays within the flat-colour reading): over the 5 MB Rekognition and Textract take
 * inline, within the 10 MB an upload may be.
 */
export async function largeSyntheticImage(person: Person, kind: Kind): Promise<Buffer> {
  const width = 2300;
  const height = 1725;
  const raw = Buffer.alloc(width * height * 3);
  const base = colourOf(person, kind, 'centre', person);
  let x = 12345;
  for (let i = 0; i < raw.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    raw[i] = Math.max(0, Math.min(255, base[i % 3]! + (x % 25) - 12));
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

function nearest<K extends string>(table: Record<K, number>, value: number): K {
  return (Object.entries(table) as Array<[K, number]>).reduce((best, cur) =>
    Math.abs(cur[1] - value) < Math.abs(best[1] - value) ? cur : best,
  )[0];
}

/** What the stand-in "sees" in a synthetic image; null for a photograph (not one flat colour). */
export async function readSyntheticImage(
  bytes: Buffer,
): Promise<{ person: Person; pose: Pose; kind: Kind; documentOf: Person } | null> {
  const { channels } = await sharp(bytes).stats();
  if (!isFlatColour(channels)) return null;
  const [r, g, b] = channels.map((c) => c.mean) as [number, number, number];
  const kind = nearest(KIND_BLUE, b);
  const green = nearest(POSE_GREEN, g);
  const person = nearest(PERSON_RED, r);
  if (kind !== 'document') return { person, pose: green, kind, documentOf: person };
  const documentOf = (Object.keys(POSE_OF_DOCUMENT) as Person[]).find((p) => POSE_OF_DOCUMENT[p] === green)!;
  return { person, pose: 'centre', kind, documentOf };
}

/** MRZ on each person's document (all valid; a's is the ICAO specimen of testdata). */
function mrzOf(person: Person): string[] {
  if (person === 'a') return PERSON_A_MRZ;
  if (person === 'b')
    return td3({
      surname: 'SPECIMEN',
      given: 'BORIS',
      docNumber: 'B12345678',
      birth: '900101',
      sex: 'M',
      expiry: '330101',
    });
  return td3({ surname: 'SPECIMEN', given: 'CARLA', docNumber: 'C12345678', birth: '850505', expiry: '340505' });
}

const YAW: Record<Pose, number> = { left: 35, centre: 0.5, right: -35 };

/** Whose face a detected face is: a synthetic person, or a face the offline model found in a photograph. */
type Identity = { world: 'synthetic'; person: Person } | { world: 'photo'; face: PhotoFace };

/** A face as the Rekognition stand-in detects it. */
interface SeenFace {
  detail: FaceDetail;
  identity: Identity;
}

/**
 * Similarity of two faces (0-100): synthetic faces are one person or another (99.2 or 0); photographed faces
 * are scored from their descriptors (photo-faces.ts); a synthetic face is nobody in a photograph (0).
 */
function similarity(a: Identity, b: Identity): number {
  if (a.world === 'synthetic' && b.world === 'synthetic') return a.person === b.person ? 99.2 : 0;
  if (a.world === 'photo' && b.world === 'photo') return photoSimilarity(a.face, b.face);
  return 0;
}

/** A ComparedFace of CompareFaces' answer. */
function comparedFace(face: SeenFace) {
  const { BoundingBox, Confidence, Pose, Quality } = face.detail;
  return { BoundingBox, Confidence, Pose, Quality };
}

// ---------------------------------------------------------------- KMS

interface StandInKey {
  arn: string;
  usage: 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC';
  material: Buffer;
}

// ---------------------------------------------------------------- Step Functions

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  done: Promise<void>;
}

export interface StandInOptions {
  /** key ARN -> usage, for every AWS::KMS::Key of the template. */
  keys: Array<{ arn: string; id: string; usage: StandInKey['usage'] }>;
  /** The state machines of the template: ARN -> definition (intrinsics resolved), role statements checker. */
  stateMachines: Map<string, { definition: Record<string, unknown>; onInvoke(functionArn: string): void }>;
  host: LambdaHost;
  region: string;
  accountId: string;
  /** Reads an S3 object (images passed to Rekognition/Textract as S3Object). */
  readObject(bucket: string, key: string): Promise<Buffer>;
}

export class AwsStandIns {
  private server: Server | null = null;
  readonly endpoint: Promise<string>;
  private readonly keys = new Map<string, StandInKey>();
  readonly collections = new Map<string, Array<SeenFace & { FaceId: string; ExternalImageId?: string }>>();
  readonly executions = new Map<string, Execution>();
  /** Every Rekognition/Textract operation answered, for assertions on what the pipeline asked. */
  readonly answered: string[] = [];
  /** Face Liveness sessions created (id -> whose face the browser streamed, set by the test before it). */
  readonly livenessSessions = new Map<string, Person>();
  /** Whose face the next Face Liveness session sees. */
  livenessSubject: Person = 'a';
  /** Operations (`textract:DetectDocumentText`) that answer 500 InternalServerError while listed. */
  readonly faults = new Set<string>();

  constructor(private readonly opts: StandInOptions) {
    for (const k of opts.keys) {
      const key: StandInKey = { arn: k.arn, usage: k.usage, material: randomBytes(32) };
      this.keys.set(k.arn, key);
      this.keys.set(k.id, key);
    }
    this.endpoint = new Promise((resolve) => {
      this.server = createServer((req, res) => void this.handle(req, res));
      this.server.listen(0, '127.0.0.1', () => {
        resolve(`http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`);
      });
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Resolves once no execution is running. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
    const [service, operation] = target.split('.') as [string, string];
    try {
      if (!contentType.includes('json')) throw new AwsError('UnknownOperationException', `not JSON: ${contentType}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      let out: unknown;
      if (service === 'TrentService') out = this.kms(operation, body);
      else if (service === 'RekognitionService') out = await this.rekognition(operation, body);
      else if (service === 'Textract') out = await this.textract(operation, body);
      else if (service === 'AWSStepFunctions') out = this.stepFunctions(operation, body);
      else throw new AwsError('UnknownOperationException', `no stand-in for ${target}`);
      res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(out));
    } catch (err) {
      const type = err instanceof AwsError ? err.type : 'InternalServerError';
      const status = err instanceof AwsError ? 400 : 500;
      res
        .writeHead(status, { 'content-type': contentType, 'x-amzn-errortype': type })
        .end(JSON.stringify({ __type: type, message: (err as Error).message }));
    }
  }

  // ------------------------------------------------------------ KMS

  private key(keyId: unknown, usage: StandInKey['usage']): StandInKey {
    const key = this.keys.get(String(keyId));
    if (!key) throw new AwsError('NotFoundException', `Key '${String(keyId)}' does not exist`);
    if (key.usage !== usage) throw new AwsError('InvalidKeyUsageException', `${key.arn} is ${key.usage}`);
    return key;
  }

  private kms(operation: string, body: Record<string, unknown>): unknown {
    const aad = (ctx: unknown) => Buffer.from(JSON.stringify(Object.entries((ctx ?? {}) as object).sort()));
    switch (operation) {
      case 'Encrypt':
      case 'GenerateDataKey': {
        const key = this.key(body.KeyId, 'ENCRYPT_DECRYPT');
        const plaintext =
          operation === 'Encrypt'
            ? Buffer.from(String(body.Plaintext), 'base64')
            : randomBytes(Number(body.NumberOfBytes ?? 32));
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key.material, iv).setAAD(aad(body.EncryptionContext));
        const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const arn = Buffer.from(key.arn);
        const blob = Buffer.concat([Buffer.from([arn.length]), arn, iv, cipher.getAuthTag(), ct]);
        return {
          KeyId: key.arn,
          CiphertextBlob: blob.toString('base64'),
          ...(operation === 'GenerateDataKey' ? { Plaintext: plaintext.toString('base64') } : {}),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'Decrypt': {
        const blob = Buffer.from(String(body.CiphertextBlob), 'base64');
        const arn = blob.subarray(1, 1 + blob[0]!).toString();
        if (body.KeyId && this.keys.get(String(body.KeyId))?.arn !== arn)
          throw new AwsError('IncorrectKeyException', 'the ciphertext was not encrypted under this key');
        const key = this.key(arn, 'ENCRYPT_DECRYPT');
        const rest = blob.subarray(1 + blob[0]!);
        const decipher = createDecipheriv('aes-256-gcm', key.material, rest.subarray(0, 12))
          .setAAD(aad(body.EncryptionContext))
          .setAuthTag(rest.subarray(12, 28));
        try {
          const pt = Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]);
          return { KeyId: key.arn, Plaintext: pt.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
        } catch {
          throw new AwsError('InvalidCiphertextException', 'ciphertext or encryption context does not match');
        }
      }
      case 'GenerateMac': {
        const key = this.key(body.KeyId, 'GENERATE_VERIFY_MAC');
        if (body.MacAlgorithm !== 'HMAC_SHA_256') throw new AwsError('InvalidKeyUsageException', 'HMAC_256 key');
        const mac = createHmac('sha256', key.material)
          .update(Buffer.from(String(body.Message), 'base64'))
          .digest();
        return { KeyId: key.arn, Mac: mac.toString('base64'), MacAlgorithm: 'HMAC_SHA_256' };
      }
      case 'DescribeKey': {
        const key = this.keys.get(String(body.KeyId));
        if (!key) throw new AwsError('NotFoundException', 'no such key');
        return { KeyMetadata: { Arn: key.arn, KeyId: key.arn.split('/').pop(), KeyUsage: key.usage, Enabled: true } };
      }
      default:
        throw new AwsError('UnknownOperationException', `KMS ${operation} is not modelled`);
    }
  }

  // ------------------------------------------------------------ Rekognition / Textract

  /**
   * The image of a Rekognition or Textract request, refused as the services refuse it: inline bytes over 5 MB
   * (ImageTooLargeException / DocumentTooLargeException), S3 objects over 15 MB, and formats other than JPEG and
   * PNG (Textract also takes PDF and TIFF): InvalidImageFormatException / UnsupportedDocumentException. A
   * WebP or oversized capture passed through unchanged fails here as it would on AWS.
   */
  private async imageOf(image: unknown, service: 'rekognition' | 'textract' = 'rekognition'): Promise<Buffer> {
    const i = image as { Bytes?: string; S3Object?: { Bucket: string; Name: string } } | undefined;
    let bytes: Buffer;
    let limit: number;
    if (i?.Bytes) {
      bytes = Buffer.from(i.Bytes, 'base64');
      limit = 5 * 1024 * 1024;
    } else if (i?.S3Object) {
      bytes = await this.opts.readObject(i.S3Object.Bucket, i.S3Object.Name);
      limit = service === 'rekognition' ? 15 * 1024 * 1024 : 10 * 1024 * 1024;
    } else throw new AwsError('InvalidParameterException', 'no image');
    if (bytes.length > limit)
      throw new AwsError(
        service === 'rekognition' ? 'ImageTooLargeException' : 'DocumentTooLargeException',
        `image of ${bytes.length} bytes is over the ${limit}-byte limit`,
      );
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const pdfOrTiff = ['%PDF', 'II*\0', 'MM\0*'].includes(bytes.subarray(0, 4).toString('latin1'));
    if (!jpeg && !png && !(service === 'textract' && pdfOrTiff))
      throw new AwsError(
        service === 'rekognition' ? 'InvalidImageFormatException' : 'UnsupportedDocumentException',
        'Request has unsupported image format',
      );
    return bytes;
  }

  private collection(id: unknown) {
    const c = this.collections.get(String(id));
    if (!c) throw new AwsError('ResourceNotFoundException', `collection ${String(id)} not found`);
    return c;
  }

  /**
   * The faces Rekognition would find in an image. A synthetic image shows one face (none when blank) whose
   * owner and pose its colour encodes; a photograph shows what the offline face model finds (photo-faces.ts).
   */
  private async facesIn(image: unknown): Promise<SeenFace[]> {
    const bytes = await this.imageOf(image);
    const seen = await readSyntheticImage(bytes);
    if (!seen)
      return (await photoFaces(bytes)).map((face) => ({ detail: face.detail, identity: { world: 'photo', face } }));
    if (seen.kind === 'blank') return [];
    return [{ detail: faceDetail({ yaw: YAW[seen.pose] }), identity: { world: 'synthetic', person: seen.person } }];
  }

  private async rekognition(operation: string, body: Record<string, unknown>): Promise<unknown> {
    this.answered.push(`rekognition:${operation}`);
    if (this.faults.has(`rekognition:${operation}`)) throw new Error('injected fault');
    switch (operation) {
      case 'DetectFaces':
        return { FaceDetails: (await this.facesIn(body.Image)).map((f) => f.detail) };
      case 'CompareFaces': {
        const [source, targets] = await Promise.all([this.facesIn(body.SourceImage), this.facesIn(body.TargetImage)]);
        // The largest face of the source is compared with every face of the target.
        const largest = source[0];
        if (!largest) throw new AwsError('InvalidParameterException', 'no face in the source image');
        const threshold = Number(body.SimilarityThreshold ?? 80);
        const scored = targets.map((t) => ({ face: t, similarity: similarity(largest.identity, t.identity) }));
        return {
          SourceImageFace: { BoundingBox: largest.detail.BoundingBox, Confidence: largest.detail.Confidence },
          FaceMatches: scored
            .filter((t) => t.similarity >= threshold)
            .map((t) => ({ Similarity: t.similarity, Face: comparedFace(t.face) })),
          UnmatchedFaces: scored.filter((t) => t.similarity < threshold).map((t) => comparedFace(t.face)),
        };
      }
      case 'CreateCollection': {
        const id = String(body.CollectionId);
        if (this.collections.has(id)) throw new AwsError('ResourceAlreadyExistsException', `${id} exists`);
        this.collections.set(id, []);
        return {
          StatusCode: 200,
          CollectionArn: `aws:rekognition:${this.opts.region}:${this.opts.accountId}:collection/${id}`,
          FaceModelVersion: '7.0',
        };
      }
      case 'IndexFaces': {
        const faces = this.collection(body.CollectionId);
        const seen = (await this.facesIn(body.Image)).slice(0, Number(body.MaxFaces ?? 100));
        const records = seen.map((s) => {
          const face = { FaceId: randomUUID(), ExternalImageId: body.ExternalImageId as string | undefined, ...s };
          faces.push(face);
          return {
            Face: {
              FaceId: face.FaceId,
              ExternalImageId: face.ExternalImageId,
              BoundingBox: s.detail.BoundingBox,
              Confidence: s.detail.Confidence,
              ImageId: randomUUID(),
            },
            FaceDetail: s.detail,
          };
        });
        return { FaceRecords: records, UnindexedFaces: [], FaceModelVersion: '7.0' };
      }
      case 'SearchFacesByImage': {
        const faces = this.collection(body.CollectionId);
        const searched = (await this.facesIn(body.Image))[0];
        if (!searched) throw new AwsError('InvalidParameterException', 'no face in the image');
        const threshold = Number(body.FaceMatchThreshold ?? 80);
        return {
          SearchedFaceBoundingBox: searched.detail.BoundingBox,
          SearchedFaceConfidence: searched.detail.Confidence,
          FaceMatches: faces
            .map((f) => ({ f, similarity: similarity(searched.identity, f.identity) }))
            .filter((m) => m.similarity >= threshold)
            .sort((a, b) => b.similarity - a.similarity)
            .slice(0, Number(body.MaxFaces ?? 4096))
            .map(({ f, similarity: s }) => ({
              Similarity: s,
              Face: { FaceId: f.FaceId, ExternalImageId: f.ExternalImageId, Confidence: f.detail.Confidence },
            })),
          FaceModelVersion: '7.0',
        };
      }
      case 'DeleteFaces': {
        const faces = this.collection(body.CollectionId);
        const ids = new Set(body.FaceIds as string[]);
        const deleted = faces.filter((f) => ids.has(f.FaceId)).map((f) => f.FaceId);
        this.collections.set(
          String(body.CollectionId),
          faces.filter((f) => !ids.has(f.FaceId)),
        );
        return { DeletedFaces: deleted, UnsuccessfulFaceDeletions: [] };
      }
      case 'CreateFaceLivenessSession': {
        const id = randomUUID();
        this.livenessSessions.set(id, this.livenessSubject);
        return { SessionId: id };
      }
      case 'GetFaceLivenessSessionResults': {
        const person = this.livenessSessions.get(String(body.SessionId));
        if (!person) throw new AwsError('SessionNotFoundException', 'no such session');
        const reference = await syntheticImage(person, 'selfie');
        return {
          SessionId: body.SessionId,
          Status: 'SUCCEEDED',
          Confidence: 98.7,
          ReferenceImage: { Bytes: reference.toString('base64'), BoundingBox: faceDetail().BoundingBox },
          AuditImages: [],
        };
      }
      case 'ListFaces': {
        const faces = this.collection(body.CollectionId);
        return {
          Faces: faces.map((f) => ({ FaceId: f.FaceId, ExternalImageId: f.ExternalImageId })),
          FaceModelVersion: '7.0',
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `Rekognition ${operation} is not modelled`);
    }
  }

  private async textract(operation: string, body: Record<string, unknown>): Promise<unknown> {
    this.answered.push(`textract:${operation}`);
    if (this.faults.has(`textract:${operation}`)) throw new Error('injected fault');
    switch (operation) {
      case 'DetectDocumentText': {
        const bytes = await this.imageOf(body.Document, 'textract');
        const seen = await readSyntheticImage(bytes);
        const lines = seen ? (seen.kind === 'document' ? mrzOf(seen.documentOf) : []) : (recordedMrzLines(bytes) ?? []);
        return { DocumentMetadata: { Pages: 1 }, Blocks: textractBlocks(lines), DetectDocumentTextModelVersion: '1.0' };
      }
      case 'AnalyzeID':
        // No US identity document in this world.
        return {
          IdentityDocuments: [],
          DocumentMetadata: { Pages: (body.DocumentPages as unknown[]).length },
          AnalyzeIDModelVersion: '1.0',
        };
      default:
        throw new AwsError('UnknownOperationException', `Textract ${operation} is not modelled`);
    }
  }

  // ------------------------------------------------------------ Step Functions

  private stepFunctions(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'StartExecution': {
        const stateMachineArn = String(body.stateMachineArn);
        const machine = this.opts.stateMachines.get(stateMachineArn);
        if (!machine)
          throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
        const name = String(body.name ?? randomUUID());
        const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        if (this.executions.has(executionArn))
          throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        const input = String(body.input ?? '{}');
        const execution: Execution = {
          executionArn,
          stateMachineArn,
          name,
          input,
          status: 'RUNNING',
          startDate: new Date(),
          done: Promise.resolve(),
        };
        execution.done = this.run(execution, machine);
        this.executions.set(executionArn, execution);
        return { executionArn, startDate: execution.startDate.getTime() / 1000 };
      }
      case 'DescribeExecution': {
        const e = this.executions.get(String(body.executionArn));
        if (!e) throw new AwsError('ExecutionDoesNotExist', 'Execution Does Not Exist');
        return {
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate.getTime() / 1000,
          ...(e.stopDate ? { stopDate: e.stopDate.getTime() / 1000 } : {}),
          input: e.input,
          ...(e.output !== undefined ? { output: e.output } : {}),
          ...(e.error ? { error: e.error } : {}),
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `Step Functions ${operation} is not modelled`);
    }
  }

  private async run(
    execution: Execution,
    machine: { definition: Record<string, unknown>; onInvoke(functionArn: string): void },
  ): Promise<void> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const noWait: Record<string, number> = {};
    const visit = (states: Record<string, Record<string, unknown>>) => {
      for (const [name, state] of Object.entries(states)) {
        noWait[name] = 0;
        if (state.Type === 'Task') {
          const arn = String(state.Resource);
          handlers[name] = async (input) => {
            machine.onInvoke(arn);
            const fn = this.opts.host.byArn(arn);
            return this.opts.host.invoke(fn.logicalId, input);
          };
        }
        for (const b of (state.Branches ?? []) as Array<{ States: Record<string, Record<string, unknown>> }>)
          visit(b.States);
      }
    };
    const def = JSON.parse(JSON.stringify(machine.definition)) as { States: Record<string, Record<string, unknown>> };
    visit(def.States);
    await Promise.resolve(); // StartExecution answers before the first state runs
    try {
      const sm = new StateMachine(def as never, { validationOptions: { checkArn: true, checkPaths: true } });
      const result = await sm.run(JSON.parse(execution.input), {
        overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: noWait },
      }).result;
      execution.status = 'SUCCEEDED';
      execution.output = JSON.stringify(result);
    } catch (err) {
      execution.status = 'FAILED';
      execution.error = (err as Error).name;
    }
    execution.stopDate = new Date();
  }
}
