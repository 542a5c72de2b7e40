import type { FaceDetail } from '@aws-sdk/client-rekognition';
import { evaluateDocumentRules } from '../../domain/document-rules';
import type { ReasonCode } from '../../domain/reason-codes';
import type { DocumentCheckInput, DocumentCheckResult, DocumentFields, ImageInput } from '../../ports/checks';
import { CallLog, isAwsError } from './call-log';
import { readMrzLocally, readMrzWithTextract, readWithAnalyzeId } from './document-readers';
import { detectFaces, largestFace, UNUSABLE_IMAGE_ERRORS } from './faces';
import { cropBoundingBox } from './images';
import type { AwsCheckContext } from './options';

type DocumentSource = 'mrz-reader' | 'textract-detect-text' | 'textract-analyze-id';

/** The document's largest face (DetectFaces, confidence >= 50), cropped from the front page for face matching. */
async function findPortrait(
  { rekognition }: Pick<AwsCheckContext, 'rekognition'>,
  log: CallLog,
  front: ImageInput,
): Promise<{ portrait: Buffer | null; confidence: number | null }> {
  let faces: FaceDetail[];
  try {
    faces = await detectFaces(rekognition, log, front, 50);
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

/**
 * Reads the document, applies the flow's document rules, and crops the portrait.
 *
 * Document engine choice (US vs rest of the world), cheapest first:
 *  1. the injected local MRZ reader on the front, then the back (TD1 cards carry the MRZ on the back);
 *  2. unless the flow accepts only USA: Textract DetectDocumentText, MRZ lines found in its LINE blocks;
 *  3. if no MRZ was found and the flow accepts USA (issuingCountries empty or containing USA): Textract
 *     AnalyzeID on all pages (US driver licences and state IDs have no MRZ; AnalyzeID is US-only).
 * A US passport therefore goes through its MRZ like any passport; AnalyzeID is the fallback for MRZ-less
 * US cards. Check digits are always validated here (functions/domain/mrz.ts), never trusted from an engine.
 */
export async function checkDocument(input: DocumentCheckInput, ctx: AwsCheckContext): Promise<DocumentCheckResult> {
  const log = new CallLog();
  const pages = [input.front, ...(input.back ? [input.back] : [])];
  const countries = input.flow.issuingCountries;
  const usOnly = countries.length > 0 && countries.every((c) => c === 'USA');
  const usAccepted = countries.length === 0 || countries.includes('USA');

  let fields: DocumentFields | null = await readMrzLocally(ctx, log, pages, input.today);
  let source: DocumentSource | null = fields ? 'mrz-reader' : null;
  let confidences: Record<string, number> = {};
  let lowConfidence = false;
  if (!fields && !usOnly) {
    fields = await readMrzWithTextract(ctx, log, pages, input.today);
    if (fields) source = 'textract-detect-text';
  }
  if (!fields && usAccepted) {
    const analyzed = await readWithAnalyzeId(ctx, log, pages, input.today);
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
  const { portrait, confidence: portraitConfidence } = await findPortrait(ctx, log, input.front);
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
