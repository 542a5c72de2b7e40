import {
  AnalyzeIDCommand,
  type AnalyzeIDCommandOutput,
  DetectDocumentTextCommand,
  type DetectDocumentTextCommandOutput,
} from '@aws-sdk/client-textract';
import { mrzFormatOf, parseMrz } from '../../domain/mrz';
import { knownStates, plausibleMrz } from '../../domain/mrz-plausibility';
import type { DocumentFields, ImageInput } from '../../ports/checks';
import { CRITICAL_ANALYZE_ID_FIELDS, collectAnalyzeIdFields, documentFieldsFromAnalyzeId } from './analyze-id';
import { type CallLog, isAwsError } from './call-log';
import { toTextractDocument } from './images';
import type { MrzRead } from './mrz-reader';
import type { AwsCheckContext } from './options';
import { findMrzLines } from './textract-mrz-lines';

/**
 * The three document engines of the AWS provider, cheapest first (document-check.ts chooses among them).
 * Each resolves null when it finds nothing usable, so the next engine is tried.
 */

/** Textract errors that mean "this page cannot be read", not "try again later". */
const UNREADABLE_DOCUMENT_ERRORS = [
  'UnsupportedDocumentException',
  'BadDocumentException',
  'DocumentTooLargeException',
  'InvalidParameterException',
];

/**
 * Parses an MRZ only if the fields no check digit protects are plausible (known ICAO states, a
 * well-formed name): OCR misreads there would otherwise pass silently. Same rule as the local engine.
 */
function parseTrustedMrz(lines: string[], today: string): DocumentFields | null {
  const format = mrzFormatOf(lines);
  if (!format || !knownStates(format, lines) || !plausibleMrz(format, lines)) return null;
  return parseMrz(lines, today);
}

/** The injected local MRZ reader on each page in turn (free); null without a reader or without an MRZ. */
export async function readMrzLocally(
  { mrzReader }: Pick<AwsCheckContext, 'mrzReader'>,
  log: CallLog,
  pages: ImageInput[],
  today: string,
): Promise<DocumentFields | null> {
  if (!mrzReader) return null;
  for (const page of pages) {
    if (page.bytes.length === 0) continue;
    let read: MrzRead | null;
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

/** Textract DetectDocumentText on each page in turn, MRZ lines found among its LINE blocks. */
export async function readMrzWithTextract(
  { textract }: Pick<AwsCheckContext, 'textract'>,
  log: CallLog,
  pages: ImageInput[],
  today: string,
): Promise<DocumentFields | null> {
  for (const page of pages) {
    let out: DetectDocumentTextCommandOutput;
    try {
      out = await log.time(`textract:DetectDocumentText ${page.label}`, async () =>
        textract.send(new DetectDocumentTextCommand({ Document: await toTextractDocument(page) })),
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

/** What AnalyzeID read: the fields, each field's confidence, and whether a critical field is below the bar. */
export interface AnalyzeIdRead {
  fields: DocumentFields;
  confidences: Record<string, number>;
  lowConfidence: boolean;
}

/** Textract AnalyzeID over all pages (US identity documents); null when it finds none of the critical fields. */
export async function readWithAnalyzeId(
  { textract, options }: Pick<AwsCheckContext, 'textract' | 'options'>,
  log: CallLog,
  pages: ImageInput[],
  today: string,
): Promise<AnalyzeIdRead | null> {
  let out: AnalyzeIDCommandOutput;
  try {
    out = await log.time('textract:AnalyzeID', async () =>
      textract.send(
        new AnalyzeIDCommand({ DocumentPages: await Promise.all(pages.map((p) => toTextractDocument(p))) }),
      ),
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
