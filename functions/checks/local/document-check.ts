import { checkDigitFindings, evaluateDocumentRules } from '../../domain/document-rules';
import { allCheckDigitsValid, parseMrz } from '../../domain/mrz';
import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { CheckTiming, DocumentCheckInput, DocumentCheckResult, DocumentFields } from '../../ports/checks';
import { findFaces, stillImageConfidence } from './face-analysis';
import { cropToJpeg, decodeImage, ImageDecodeError, type RgbImage } from './image';
import { ocrModels } from './models';
import { readMrz } from './mrz-reader';
import type { MrzReadResult } from './mrz-text';
import { timed, type LocalCheckOptions } from './options';

/**
 * Document check: reads the MRZ (back image first when given, since TD1 cards carry it there), validates it,
 * applies the flow's document rules and crops the portrait from the front image.
 * Never returns fields from a read that does not validate: such reads are rejected with a reason code.
 */

/**
 * Padding around the detected face for the portrait crop (fraction of the face box per side). SSD needs some
 * context: on a tight crop of a low-resolution portrait it may not find the face again, so the crop is
 * re-checked and widened if needed.
 */
const PORTRAIT_PADS = [0.6, 1.0];

interface MrzAttempt {
  label: string;
  read: MrzReadResult | string;
}

export async function checkDocument(
  input: DocumentCheckInput,
  options: LocalCheckOptions,
): Promise<DocumentCheckResult> {
  const timings: CheckTiming[] = [];
  const reasonCodes = new Set<ReasonCode>();
  const riskFlags = new Set<RiskFlag>();
  const extracted: Record<string, unknown> = {};

  let front: RgbImage;
  let back: RgbImage | null;
  try {
    [front, back] = await timed(timings, 'decode', () =>
      Promise.all([
        decodeImage(input.front.bytes, input.front.label, options.maxOcrImageSide),
        input.back ? decodeImage(input.back.bytes, input.back.label, options.maxOcrImageSide) : Promise.resolve(null),
      ]),
    );
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    return result('fail', ['DOCUMENT_UNREADABLE'], [], { error: 'image_decode_failed' }, null, null, timings, {});
  }

  // OCR runs on onnxruntime's native threads and face detection on the wasm thread: overlap them.
  const [attempts, portrait] = await Promise.all([
    timed(timings, 'ocr', () => readMrzFromSides(front, back)),
    timed(timings, 'portrait', () => cropPortrait(front, options)),
  ]);
  extracted.mrzAttempts = attempts.map((a) => ({
    image: a.label,
    result: typeof a.read === 'string' ? a.read : 'read',
  }));
  const read = attempts.map((a) => a.read).find((r): r is MrzReadResult => typeof r !== 'string');
  extracted.portraitFound = portrait !== null;

  if (!read) {
    // Report the most informative failure: a found-but-unreliable MRZ over "no MRZ here".
    const failure = attempts.map((a) => a.read).find((r) => r !== 'not_found') ?? 'not_found';
    extracted.error = `mrz_${failure}`;
    return result('fail', ['DOCUMENT_UNREADABLE'], [], extracted, null, portrait, timings, {});
  }
  const scores = { mrzConfidence: round(read.unprotectedConfidence, 3) };
  extracted.mrzCorrections = read.corrections;

  const parsed = parseMrz(read.lines, input.today);
  if (!parsed || parsed.mrzFormat !== read.format) {
    extracted.error = 'mrz_unparseable';
    return result('fail', ['DOCUMENT_UNREADABLE'], [], extracted, null, portrait, timings, scores);
  }
  const { checkDigits } = parsed;
  if (!allCheckDigitsValid(checkDigits)) {
    // Fail before the flow rules: fields behind a failing check digit are not trusted, so none are returned.
    const digits = checkDigitFindings(checkDigits);
    extracted.error = 'mrz_check_digit_failed';
    return result(
      'fail',
      digits.reasonCodes,
      digits.riskFlags,
      extracted,
      unvalidatedFields(read, checkDigits),
      portrait,
      timings,
      scores,
    );
  }
  if (read.unprotectedConfidence < options.minUnprotectedConfidence) {
    // Names, codes and sex carry no check digit: a low-confidence glyph there could be silently wrong.
    extracted.error = 'mrz_low_confidence';
    return result('fail', ['DOCUMENT_UNREADABLE'], [], extracted, null, portrait, timings, scores);
  }
  const fields: DocumentFields = parsed;
  if (!fields.birthDate || !fields.expiryDate) {
    extracted.error = 'mrz_invalid_date';
    return result('fail', ['DOCUMENT_UNREADABLE'], [], extracted, null, portrait, timings, scores);
  }

  const rules = evaluateDocumentRules(fields, input.flow, input.today);
  for (const code of rules.reasonCodes) reasonCodes.add(code);
  for (const flag of rules.riskFlags) riskFlags.add(flag);

  return result(
    reasonCodes.size === 0 ? 'pass' : 'fail',
    [...reasonCodes],
    [...riskFlags],
    extracted,
    fields,
    portrait,
    timings,
    scores,
  );
}

async function readMrzFromSides(front: RgbImage, back: RgbImage | null): Promise<MrzAttempt[]> {
  const models = await ocrModels();
  const sides: Array<[string, RgbImage]> = back
    ? [
        ['back', back],
        ['front', front],
      ]
    : [['front', front]];
  const attempts: MrzAttempt[] = [];
  for (const [label, image] of sides) {
    const { result: read } = await readMrz(models, image);
    attempts.push({ label, read });
    if (typeof read !== 'string') break;
  }
  return attempts;
}

async function cropPortrait(front: RgbImage, options: LocalCheckOptions): Promise<Buffer | null> {
  const faces = await findFaces(front, stillImageConfidence(undefined, options), options);
  // The largest face is the holder portrait; smaller ones are ghost images or security prints.
  const face = faces[0];
  if (!face) return null;
  let crop: Buffer | null = null;
  for (const pad of PORTRAIT_PADS) {
    crop = await cropToJpeg(front, face.box, pad);
    const again = await findFaces(
      await decodeImage(crop, 'portrait', options.maxFaceImageSide),
      stillImageConfidence(undefined, options),
      options,
    );
    if (again.length > 0) return crop;
  }
  return crop;
}

/** Fields of a read whose check digits failed: only the raw lines and digit verdicts, no parsed values. */
function unvalidatedFields(read: MrzReadResult, checkDigits: Record<string, boolean>): DocumentFields {
  return {
    documentType: null,
    mrzFormat: read.format,
    mrzLines: read.lines,
    issuingCountry: null,
    documentNumber: null,
    surname: null,
    givenNames: null,
    nationality: null,
    birthDate: null,
    expiryDate: null,
    sex: null,
    checkDigits,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function result(
  outcome: DocumentCheckResult['outcome'],
  reasonCodes: ReasonCode[],
  riskFlags: RiskFlag[],
  extracted: Record<string, unknown>,
  fields: DocumentFields | null,
  portrait: Buffer | null,
  timings: CheckTiming[],
  scores: Record<string, number>,
): DocumentCheckResult {
  return {
    check: 'document',
    outcome,
    scores,
    reasonCodes,
    riskFlags,
    extracted: { ...extracted, fields },
    timings,
    provider: 'local',
    fields,
    portrait,
  };
}
