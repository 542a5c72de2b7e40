import {
  CompareFacesCommand,
  DetectFacesCommand,
  type FaceDetail,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { AnalyzeIDCommand, DetectDocumentTextCommand, type TextractClient } from '@aws-sdk/client-textract';
import { evaluateDocumentRules } from '../../domain/document-rules';
import { mrzFormatOf, parseMrz } from '../../domain/mrz';
import { knownStates, plausibleMrz } from '../../domain/mrz-plausibility';
import type { ReasonCode } from '../../domain/reason-codes';
import type {
  CheckProvider,
  CheckResult,
  DocumentCheckInput,
  DocumentCheckResult,
  DocumentFields,
  FaceMatchInput,
  FaceTemplate,
  ImageInput,
  LivenessInput,
} from '../../ports/checks';
import { CRITICAL_ANALYZE_ID_FIELDS, collectAnalyzeIdFields, documentFieldsFromAnalyzeId } from './analyze-id';
import { CallLog, isAwsError } from './call-log';
import { createFaceCollection, type FaceCollection } from './face-collection';
import {
  createFaceLivenessSessions,
  type FaceLivenessSessionOptions,
  type FaceLivenessSessions,
} from './face-liveness-session';
import { cropBoundingBox, fingerprint, isNearDuplicate, toRekognitionImage, toTextractDocument } from './images';
import { findMrzLines } from './textract-mrz-lines';
import type { MrzReader } from './mrz-reader';
import { subjectTurnFromYaw, type PositiveYawMeaning, type SubjectTurn } from './pose';

/** Tunables with defaults; the flow supplies faceMatchMinSimilarity and minFaceConfidence. */
export interface AwsCheckOptions {
  /** Similarity points below faceMatchMinSimilarity that give FACE_MATCH_INCONCLUSIVE instead of BAD_FACE_MATCHING. */
  faceMatchReviewBand: number;
  /** Selfie quality gate (Rekognition Quality, 0-100). Below -> LIVENESS_INCONCLUSIVE (retake). */
  minSelfieSharpness: number;
  minSelfieBrightness: number;
  /** CompareFaces similarity a liveness frame must reach against the selfie (turned heads score lower). */
  livenessSamePersonMinSimilarity: number;
  /** |Pose.Yaw| in degrees for a frame to count as turned, and below which it counts as frontal. */
  minTurnDegrees: number;
  maxCentreDegrees: number;
  positiveYawIs: PositiveYawMeaning;
  /** Textract AnalyzeID confidence (0-100) the critical fields need. */
  minAnalyzeIdFieldConfidence: number;
  /** Face Liveness session: min Confidence and output settings. */
  faceLiveness: FaceLivenessSessionOptions;
  /** SearchFacesByImage FaceMatchThreshold and max matches. */
  duplicateMinSimilarity: number;
  duplicateMaxMatches: number;
}

export const DEFAULT_AWS_CHECK_OPTIONS: AwsCheckOptions = {
  faceMatchReviewBand: 5,
  minSelfieSharpness: 8,
  minSelfieBrightness: 20,
  livenessSamePersonMinSimilarity: 80,
  minTurnDegrees: 20,
  maxCentreDegrees: 12,
  positiveYawIs: 'subject-left',
  minAnalyzeIdFieldConfidence: 70,
  faceLiveness: { minConfidence: 80 },
  duplicateMinSimilarity: 95,
  duplicateMaxMatches: 10,
};

export interface AwsCheckProviderDeps {
  rekognition: RekognitionClient;
  textract: TextractClient;
  /** Local MRZ OCR tried before Textract (free); null to always use Textract. */
  mrzReader: MrzReader | null;
  /** Prefix of the per-organisation face collections (see face-collection.ts). */
  collectionId: string;
  options?: Partial<AwsCheckOptions>;
}

/** The CheckProvider plus the AWS-only operations the applicant API and the pipeline call. */
export interface AwsCheckProvider extends CheckProvider, FaceLivenessSessions, FaceCollection {
  readonly faceLivenessSessions: FaceLivenessSessions;
}

type DocumentSource = 'mrz-reader' | 'textract-detect-text' | 'textract-analyze-id';

/** Textract errors that mean "this page cannot be read", not "try again later". */
const UNREADABLE_DOCUMENT_ERRORS = [
  'UnsupportedDocumentException',
  'BadDocumentException',
  'DocumentTooLargeException',
  'InvalidParameterException',
];
/** Rekognition errors that mean the image itself is unusable. */
const UNUSABLE_IMAGE_ERRORS = ['InvalidImageFormatException', 'ImageTooLargeException'];

function result(
  check: 'faceMatch' | 'liveness',
  log: CallLog,
  parts: Pick<CheckResult, 'outcome' | 'scores' | 'reasonCodes' | 'riskFlags' | 'extracted'>,
): CheckResult {
  return { check, provider: 'aws', timings: log.timings, ...parts };
}

function largestFace(faces: FaceDetail[]): FaceDetail | null {
  let best: FaceDetail | null = null;
  let bestArea = -1;
  for (const f of faces) {
    const area = (f.BoundingBox?.Width ?? 0) * (f.BoundingBox?.Height ?? 0);
    if (area > bestArea) {
      best = f;
      bestArea = area;
    }
  }
  return best;
}

/**
 * Creates the AWS check provider over injected SDK v3 clients.
 *
 * Document engine choice (US vs rest of the world), cheapest first:
 *  1. the injected local MRZ reader on the front, then the back (TD1 cards carry the MRZ on the back);
 *  2. unless the flow accepts only USA: Textract DetectDocumentText, MRZ lines found in its LINE blocks;
 *  3. if no MRZ was found and the flow accepts USA (issuingCountries empty or containing USA): Textract
 *     AnalyzeID on all pages (US driver licences and state IDs have no MRZ; AnalyzeID is US-only).
 * A US passport therefore goes through its MRZ like any passport; AnalyzeID is the fallback for MRZ-less
 * US cards. Check digits are always validated here (functions/domain/mrz.ts), never trusted from an engine.
 */
export function createAwsCheckProvider(deps: AwsCheckProviderDeps): AwsCheckProvider {
  const options: AwsCheckOptions = {
    ...DEFAULT_AWS_CHECK_OPTIONS,
    ...deps.options,
    faceLiveness: { ...DEFAULT_AWS_CHECK_OPTIONS.faceLiveness, ...deps.options?.faceLiveness },
  };
  const { rekognition, textract, mrzReader } = deps;
  const sessions = createFaceLivenessSessions(rekognition, options.faceLiveness);
  const collection = createFaceCollection(rekognition, {
    collectionPrefix: deps.collectionId,
    duplicateMinSimilarity: options.duplicateMinSimilarity,
    maxMatches: options.duplicateMaxMatches,
  });

  async function detectFaces(log: CallLog, image: ImageInput, minConfidencePercent: number): Promise<FaceDetail[]> {
    const out = await log.time(`rekognition:DetectFaces ${image.label}`, () =>
      rekognition.send(new DetectFacesCommand({ Image: toRekognitionImage(image), Attributes: ['DEFAULT'] })),
    );
    return (out.FaceDetails ?? []).filter((f) => (f.Confidence ?? 0) >= minConfidencePercent);
  }

  async function readMrzLocally(log: CallLog, pages: ImageInput[], today: string): Promise<DocumentFields | null> {
    if (!mrzReader) return null;
    for (const page of pages) {
      if (page.bytes.length === 0) continue;
      let read;
      try {
        read = await log.time(`mrz-reader ${page.label}`, () => mrzReader(page.bytes));
      } catch {
        read = null; // the local engine is an optimisation; Textract is the fallback, not a failed check
      }
      const fields = read ? parseTrustedMrz(read.lines, today) : null;
      if (fields) return fields;
    }
    return null;
  }

  /**
   * Parses an MRZ only if the fields no check digit protects are plausible (known ICAO states, a
   * well-formed name): OCR misreads there would otherwise pass silently. Same rule as the local engine.
   */
  function parseTrustedMrz(lines: string[], today: string): DocumentFields | null {
    const format = mrzFormatOf(lines);
    if (!format || !knownStates(format, lines) || !plausibleMrz(format, lines)) return null;
    return parseMrz(lines, today);
  }

  async function readMrzWithTextract(log: CallLog, pages: ImageInput[], today: string): Promise<DocumentFields | null> {
    for (const page of pages) {
      let out;
      try {
        out = await log.time(`textract:DetectDocumentText ${page.label}`, () =>
          textract.send(new DetectDocumentTextCommand({ Document: toTextractDocument(page) })),
        );
      } catch (err) {
        if (isAwsError(err, ...UNREADABLE_DOCUMENT_ERRORS)) continue;
        throw err;
      }
      const lines = (out.Blocks ?? []).filter((b) => b.BlockType === 'LINE' && b.Text).map((b) => b.Text ?? '');
      const mrz = findMrzLines(lines);
      const fields = mrz ? parseTrustedMrz(mrz, today) : null;
      if (fields) return fields;
    }
    return null;
  }

  async function readWithAnalyzeId(
    log: CallLog,
    pages: ImageInput[],
    today: string,
  ): Promise<{ fields: DocumentFields; confidences: Record<string, number>; lowConfidence: boolean } | null> {
    let out;
    try {
      out = await log.time('textract:AnalyzeID', () =>
        textract.send(new AnalyzeIDCommand({ DocumentPages: pages.map((p) => toTextractDocument(p)) })),
      );
    } catch (err) {
      if (isAwsError(err, ...UNREADABLE_DOCUMENT_ERRORS)) return null;
      throw err;
    }
    const map = collectAnalyzeIdFields(out);
    if (!CRITICAL_ANALYZE_ID_FIELDS.some((k) => map[k])) return null;
    const confidences = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.confidence]));
    const lowConfidence = CRITICAL_ANALYZE_ID_FIELDS.some(
      (k) => (map[k]?.confidence ?? 0) < options.minAnalyzeIdFieldConfidence,
    );
    return { fields: documentFieldsFromAnalyzeId(map, today), confidences, lowConfidence };
  }

  async function findPortrait(
    log: CallLog,
    front: ImageInput,
  ): Promise<{ portrait: Buffer | null; confidence: number | null }> {
    let faces: FaceDetail[];
    try {
      faces = await detectFaces(log, front, 50);
    } catch (err) {
      if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return { portrait: null, confidence: null };
      throw err;
    }
    const face = largestFace(faces);
    if (!face?.BoundingBox) return { portrait: null, confidence: null };
    // Only bytes can be cropped here; an S3-only capture (empty bytes) yields no portrait.
    if (front.bytes.length === 0) return { portrait: null, confidence: face.Confidence ?? null };
    const portrait = await log.time('crop portrait', () => cropBoundingBox(front.bytes, face.BoundingBox ?? {}));
    return { portrait, confidence: face.Confidence ?? null };
  }

  async function checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult> {
    const log = new CallLog();
    const pages = [input.front, ...(input.back ? [input.back] : [])];
    const countries = input.flow.issuingCountries;
    const usOnly = countries.length > 0 && countries.every((c) => c === 'USA');
    const usAccepted = countries.length === 0 || countries.includes('USA');

    let fields: DocumentFields | null = await readMrzLocally(log, pages, input.today);
    let source: DocumentSource | null = fields ? 'mrz-reader' : null;
    let confidences: Record<string, number> = {};
    let lowConfidence = false;
    if (!fields && !usOnly) {
      fields = await readMrzWithTextract(log, pages, input.today);
      if (fields) source = 'textract-detect-text';
    }
    if (!fields && usAccepted) {
      const analyzed = await readWithAnalyzeId(log, pages, input.today);
      if (analyzed) {
        ({ fields, confidences, lowConfidence } = analyzed);
        source = 'textract-analyze-id';
      }
    }

    if (!fields) {
      return {
        check: 'document',
        provider: 'aws',
        timings: log.timings,
        outcome: 'fail',
        scores: {},
        reasonCodes: ['DOCUMENT_UNREADABLE'],
        riskFlags: [],
        extracted: { fields: null, source: null },
        fields: null,
        portrait: null,
      };
    }

    const rules = evaluateDocumentRules(fields, input.flow, input.today);
    const reasonCodes: ReasonCode[] = [...rules.reasonCodes];
    if (lowConfidence && !reasonCodes.includes('DOCUMENT_UNREADABLE')) reasonCodes.push('DOCUMENT_UNREADABLE');
    const { portrait, confidence: portraitConfidence } = await findPortrait(log, input.front);
    const digits = Object.values(fields.checkDigits);
    return {
      check: 'document',
      provider: 'aws',
      timings: log.timings,
      outcome: reasonCodes.length === 0 ? 'pass' : 'fail',
      scores: {
        ...(digits.length > 0
          ? { checkDigitsValid: digits.filter(Boolean).length, checkDigitsTotal: digits.length }
          : {}),
        ...(portraitConfidence !== null ? { portraitFaceConfidence: portraitConfidence } : {}),
        ...(Object.keys(confidences).length > 0 ? { minFieldConfidence: Math.min(...Object.values(confidences)) } : {}),
      },
      reasonCodes,
      riskFlags: rules.riskFlags,
      extracted: { fields, source, fieldConfidences: confidences, portraitFound: portrait !== null },
      fields,
      portrait,
    };
  }

  async function checkFaceMatch(input: FaceMatchInput): Promise<CheckResult> {
    const log = new CallLog();
    const minConfidence = input.flow.thresholds.minFaceConfidence * 100;
    const threshold = input.flow.thresholds.faceMatchMinSimilarity;
    const reviewFloor = Math.max(0, threshold - options.faceMatchReviewBand);
    const fail = (
      code: ReasonCode,
      extracted: Record<string, unknown> = {},
      outcome: CheckResult['outcome'] = 'fail',
    ) => result('faceMatch', log, { outcome, scores: { threshold }, reasonCodes: [code], riskFlags: [], extracted });

    let faces: FaceDetail[];
    try {
      faces = await detectFaces(log, input.probe, minConfidence);
    } catch (err) {
      if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return fail('NO_FACE_IN_SELFIE', { error: (err as Error).name });
      throw err;
    }
    if (faces.length === 0) return fail('NO_FACE_IN_SELFIE', { selfieFaces: 0 });
    if (faces.length > 1) return fail('MULTIPLE_FACES_IN_SELFIE', { selfieFaces: faces.length });
    const quality = { sharpness: faces[0]?.Quality?.Sharpness ?? 0, brightness: faces[0]?.Quality?.Brightness ?? 0 };
    if (quality.sharpness < options.minSelfieSharpness || quality.brightness < options.minSelfieBrightness) {
      // No catalog code for a poor selfie; LIVENESS_INCONCLUSIVE is the retry-type "could not be judged".
      return result('faceMatch', log, {
        outcome: 'inconclusive',
        scores: { threshold, ...quality },
        reasonCodes: ['LIVENESS_INCONCLUSIVE'],
        riskFlags: [],
        extracted: { selfieFaces: 1, qualityGate: 'failed' },
      });
    }

    let out;
    try {
      out = await log.time('rekognition:CompareFaces selfie-vs-document', () =>
        rekognition.send(
          new CompareFacesCommand({
            SourceImage: toRekognitionImage(input.probe),
            TargetImage: toRekognitionImage(input.reference),
            // Lowered by the review band so borderline similarities come back and can be sent to review.
            SimilarityThreshold: reviewFloor,
            // Document portraits are small and printed; AUTO would drop them before matching.
            QualityFilter: 'NONE',
          }),
        ),
      );
    } catch (err) {
      // "If no faces are detected in the source or target images, CompareFaces returns an
      // InvalidParameterException" (API reference). The selfie's face was just detected, so it is the document.
      if (isAwsError(err, 'InvalidParameterException')) return fail('NO_FACE_ON_DOCUMENT', { documentFaces: 0 });
      if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return fail('NO_FACE_ON_DOCUMENT', { error: (err as Error).name });
      throw err;
    }
    const documentFaces = (out.FaceMatches?.length ?? 0) + (out.UnmatchedFaces?.length ?? 0);
    if (documentFaces === 0) return fail('NO_FACE_ON_DOCUMENT', { documentFaces: 0 });
    const similarity = Math.max(0, ...(out.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
    const scores = { similarity, threshold, reviewFloor, ...quality };
    const extracted = { selfieFaces: 1, documentFaces };
    if (similarity >= threshold)
      return result('faceMatch', log, { outcome: 'pass', scores, reasonCodes: [], riskFlags: [], extracted });
    if ((out.FaceMatches?.length ?? 0) > 0 && similarity >= reviewFloor) {
      return result('faceMatch', log, {
        outcome: 'inconclusive',
        scores,
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
        riskFlags: [],
        extracted,
      });
    }
    return result('faceMatch', log, {
      outcome: 'fail',
      scores,
      reasonCodes: ['BAD_FACE_MATCHING'],
      riskFlags: [],
      extracted,
    });
  }

  interface FrameReport {
    index: number;
    prompt: string;
    faces: number;
    yaw: number | null;
    turn: SubjectTurn | null;
    promptMet: boolean | null;
    samePersonSimilarity: number | null;
    verdict: 'pass' | 'fail' | 'inconclusive';
  }

  async function checkFrame(
    log: CallLog,
    input: LivenessInput,
    index: number,
    minConfidence: number,
  ): Promise<FrameReport> {
    const prompt = input.prompts[index] ?? 'centre';
    const frame = input.frames[index];
    const report: FrameReport = {
      index,
      prompt,
      faces: 0,
      yaw: null,
      turn: null,
      promptMet: null,
      samePersonSimilarity: null,
      verdict: 'inconclusive',
    };
    if (!frame) return report;
    let faces: FaceDetail[];
    try {
      faces = await detectFaces(log, frame, minConfidence);
    } catch (err) {
      if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return report;
      throw err;
    }
    report.faces = faces.length;
    if (faces.length === 0) return report; // nothing to judge
    if (faces.length > 1) return { ...report, verdict: 'fail' }; // someone else in the frame
    report.yaw = faces[0]?.Pose?.Yaw ?? null;
    if (report.yaw === null) return report;
    report.turn = subjectTurnFromYaw(report.yaw, options);
    report.promptMet = report.turn === prompt;
    if (!report.promptMet) return { ...report, verdict: 'fail' };
    if (!input.selfie) return { ...report, verdict: 'pass' };

    try {
      const out = await log.time(`rekognition:CompareFaces selfie-vs-${frame.label}`, () =>
        rekognition.send(
          new CompareFacesCommand({
            SourceImage: toRekognitionImage(input.selfie as ImageInput),
            TargetImage: toRekognitionImage(frame),
            SimilarityThreshold: options.livenessSamePersonMinSimilarity,
            QualityFilter: 'NONE',
          }),
        ),
      );
      report.samePersonSimilarity = Math.max(0, ...(out.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
    } catch (err) {
      if (isAwsError(err, 'InvalidParameterException', ...UNUSABLE_IMAGE_ERRORS)) return report; // selfie has no usable face
      throw err;
    }
    return {
      ...report,
      verdict: report.samePersonSimilarity >= options.livenessSamePersonMinSimilarity ? 'pass' : 'fail',
    };
  }

  async function checkLiveness(input: LivenessInput): Promise<CheckResult> {
    const log = new CallLog();
    const minConfidence = input.flow.thresholds.minFaceConfidence * 100;
    const base = { minTurnDegrees: options.minTurnDegrees, positiveYawIs: options.positiveYawIs };
    if (input.frames.length === 0 || input.frames.length !== input.prompts.length) {
      return result('liveness', log, {
        outcome: 'inconclusive',
        scores: { frames: input.frames.length, prompts: input.prompts.length },
        reasonCodes: ['LIVENESS_INCONCLUSIVE'],
        riskFlags: [],
        extracted: { ...base, frames: [] },
      });
    }

    // A replayed still gives identical frames; decided locally before paying for any Rekognition call.
    const prints = await log.time('fingerprint frames', () =>
      Promise.all(input.frames.map((f) => fingerprint(f.bytes))),
    );
    const duplicatePairs: Array<[number, number]> = [];
    for (let i = 0; i < prints.length; i++) {
      for (let j = i + 1; j < prints.length; j++) {
        const a = prints[i];
        const b = prints[j];
        if (a && b && input.frames[i]?.bytes.length && isNearDuplicate(a, b)) duplicatePairs.push([i, j]);
      }
    }
    if (duplicatePairs.length > 0) {
      return result('liveness', log, {
        outcome: 'fail',
        scores: { duplicatePairs: duplicatePairs.length },
        reasonCodes: ['LIVENESS_FAILED'],
        riskFlags: ['REPLAYED_FRAMES'],
        extracted: { ...base, duplicatePairs, frames: [] },
      });
    }

    // Frames are independent: judge them concurrently (the Lambda is billed while it waits on Rekognition).
    const frames = await Promise.all(input.frames.map((_, i) => checkFrame(log, input, i, minConfidence)));
    const failed = frames.some((f) => f.verdict === 'fail');
    const inconclusive = frames.some((f) => f.verdict === 'inconclusive');
    const similarities = frames.map((f) => f.samePersonSimilarity).filter((s): s is number => s !== null);
    return result('liveness', log, {
      outcome: failed ? 'fail' : inconclusive ? 'inconclusive' : 'pass',
      scores: {
        framesPassed: frames.filter((f) => f.verdict === 'pass').length,
        frames: frames.length,
        ...(similarities.length > 0 ? { minSamePersonSimilarity: Math.min(...similarities) } : {}),
      },
      reasonCodes: failed ? ['LIVENESS_FAILED'] : inconclusive ? ['LIVENESS_INCONCLUSIVE'] : [],
      riskFlags: [],
      extracted: { ...base, frames },
    });
  }

  return {
    name: 'aws',
    checkDocument,
    checkFaceMatch,
    checkLiveness,
    /** Faces live in the Rekognition collection (indexFace/searchDuplicates); no portable vector exists. */
    async faceTemplate(_image: ImageInput): Promise<FaceTemplate | null> {
      return null;
    },
    async warmUp() {},
    // Duplicate-face search for the riskSignals step and face deletion for retention.
    faceIndex: collection,
    // Face Liveness sessions for the applicant API and the livenessCheck step.
    faceLivenessSessions: sessions,
    ...sessions,
    ...collection,
  };
}
