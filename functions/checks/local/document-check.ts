import { checkDigitFindings, evaluateDocumentRules } from '../../domain/document-rules';
import { allCheckDigitsValid, parseMrz } from '../../domain/mrz';
import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { CheckTiming, DocumentCheckInput, DocumentCheckResult, DocumentFields } from '../../ports/checks';
import { findFaces, locateFaces, stillImageConfidence } from './face-analysis';
import { type Box, cropToJpeg, decodeImage, ImageDecodeError, type RgbImage } from './image';
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
 * Padding around SSD's face box for the portrait crop (fraction of the box per side). SSD needs some context:
 * on a tight crop of a low-resolution portrait it may not find the face again, so the crop is re-checked and
 * widened if needed.
 */
const PORTRAIT_PADS = [0.6, 1.0];

/**
 * Paddings around the tiny detector's face box, tried in turn (a candidate SSD confirms on neither is left to
 * SSD's own search of the whole front). Its boxes are wider than SSD's (brow to chin, 1.5-2x SSD's width), and
 * SSD confirms a face far more surely with the head and shoulders around it: on the synthetic documents' small
 * portraits it scored 0.37-0.44 at a pad of 0.9 and 0.87-0.98 at 1.3. Where SSD is unsure of a face at all
 * (0.65 on the whole person_a passport), its score swings with the framing (0.36 at 1.3, 0.91 at 1.8).
 */
const LOCATED_PORTRAIT_PADS = [1.3, 1.8];

/**
 * Lowest tiny-detector score for a portrait candidate. Low on purpose: the candidate only chooses where to
 * crop; SSD at the selfie confidence decides on the crop whether it is a face.
 */
const LOCATE_MIN_SCORE = 0.3;

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

  // OCR runs on onnxruntime's threads and face detection on a face worker thread: overlap them.
  const [attempts, portrait] = await Promise.all([
    timed(timings, 'ocr', () => readMrzFromSides(front, back)),
    timed(timings, 'portrait', async () => (await cropPortrait(front, options))?.jpeg ?? null),
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

/** A portrait crop and how its face was found: `located` by the tiny detector, `searched` by SSD over the front. */
export interface PortraitCrop {
  jpeg: Buffer;
  foundBy: 'located' | 'searched';
}

/**
 * The holder portrait of the document front as JPEG, cropped around its face and confirmed: SSD (the detector
 * the face match uses, at the selfie confidence) finds a face on the crop itself, so the face match can use it.
 * The tiny detector locates the portrait first (about a third of an SSD pass over the whole front), and SSD
 * runs on the crop only, an analysis the face match reuses (face-cache.ts); when the tiny detector finds
 * nothing, or SSD does not confirm its candidate, SSD searches the whole front as before. Null without a face.
 */
export async function cropPortrait(front: RgbImage, options: LocalCheckOptions): Promise<PortraitCrop | null> {
  // The most confident candidate: the holder portrait's face is clearer than a ghost image or security print.
  const candidate = (await locateFaces(front, LOCATE_MIN_SCORE))[0];
  if (candidate) {
    const crop = await confirmedCrop(front, candidate.box, LOCATED_PORTRAIT_PADS, options);
    if (crop.confirmed && crop.jpeg) return { jpeg: crop.jpeg, foundBy: 'located' };
  }
  // The largest face is the holder portrait; smaller ones are ghost images or security prints.
  const face = (await findFaces(front, stillImageConfidence(undefined, options), options))[0];
  if (!face) return null;
  // SSD found the face on the whole front: its crop is kept even when unconfirmed (the widest one).
  const { jpeg } = await confirmedCrop(front, face.box, PORTRAIT_PADS, options);
  return jpeg ? { jpeg, foundBy: 'searched' } : null;
}

/** Crops `box` with each pad in turn until SSD finds a face on the crop; the last crop when none is confirmed. */
async function confirmedCrop(
  front: RgbImage,
  box: Box,
  pads: readonly number[],
  options: LocalCheckOptions,
): Promise<{ jpeg: Buffer | null; confirmed: boolean }> {
  let jpeg: Buffer | null = null;
  for (const pad of pads) {
    jpeg = await cropToJpeg(front, box, pad);
    const again = await findFaces(
      await decodeImage(jpeg, 'portrait', options.maxFaceImageSide),
      stillImageConfidence(undefined, options),
      options,
    );
    if (again.length > 0) return { jpeg, confirmed: true };
  }
  return { jpeg, confirmed: false };
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
