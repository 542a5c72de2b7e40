import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckProvider, DocumentCheckResult } from '../../functions/ports/checks';
import { TESTDATA } from '../support/testdata';
import { generateDocument, seedsOf, type SplitName } from './documents';

/**
 * Runs the document check on MRZ documents with known lines and sorts each outcome into exact (all lines
 * equal), refused (no fields returned) or wrong (fields returned that differ from the truth: the outcome
 * that must never happen). Shared by `npm run eval:documents` and the test on a fixed slice.
 */

export interface LabelledImage {
  name: string;
  bytes: Buffer;
  mrz: string[];
}

export interface Outcome {
  name: string;
  verdict: 'exact' | 'refused' | 'wrong';
  ms: number;
  detail: string;
}

export interface Figures {
  total: number;
  exact: number;
  refused: number;
  wrong: number;
  p50Ms: number;
}

const TODAY = '2026-11-29';
const OPEN_FLOW = { documentTypes: [], issuingCountries: [], minimumAge: null };

/** Generated documents are cached on disk (keyed by seed and a hash of the generator) to save time between runs. */
const CACHE = path.join(tmpdir(), 'kyc-mrz-eval', String(hashOf(readFileSync(path.join(__dirname, 'documents.ts')))));

function hashOf(bytes: Buffer): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

/** The synthetic documents of a split (`count` seeds after the first `skip`; all by default). */
export async function syntheticImages(split: SplitName, count?: number, skip = 0): Promise<LabelledImage[]> {
  mkdirSync(CACHE, { recursive: true });
  const out: LabelledImage[] = [];
  for (const seed of seedsOf(split, count, skip)) {
    const file = path.join(CACHE, `${seed}.json`);
    if (existsSync(file)) {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { mrz: string[]; name: string; bytes: string };
      out.push({ name: cached.name, mrz: cached.mrz, bytes: Buffer.from(cached.bytes, 'base64') });
      continue;
    }
    const doc = await generateDocument(seed);
    const image = {
      name: `${split}#${seed} ${doc.format} ${doc.capture} ${doc.width}px q${doc.jpegQuality}`,
      mrz: doc.mrz,
      bytes: doc.bytes,
    };
    writeFileSync(file, JSON.stringify({ ...image, bytes: doc.bytes.toString('base64') }));
    out.push(image);
  }
  return out;
}

/** The MRZ documents of the shared test set with their labelled lines. */
export function realImages(): LabelledImage[] {
  const labels = JSON.parse(readFileSync(path.join(TESTDATA, 'labels.json'), 'utf8')) as {
    documents: Array<{ file: string; mrz: string[] }>;
  };
  return labels.documents.map((d) => ({
    name: d.file,
    bytes: readFileSync(path.join(TESTDATA, d.file)),
    mrz: d.mrz,
  }));
}

/** Judges one document check result against the truth. */
export function verdictOf(result: DocumentCheckResult, truth: string[]): Outcome['verdict'] {
  const fields = result.fields;
  if (!fields?.documentNumber) return 'refused';
  return (fields.mrzLines ?? []).join('\n') === truth.join('\n') ? 'exact' : 'wrong';
}

export async function evaluate(provider: CheckProvider, images: LabelledImage[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const image of images) {
    const started = performance.now();
    const result = await provider.checkDocument({
      front: { bytes: image.bytes, label: image.name },
      back: null,
      flow: OPEN_FLOW,
      today: TODAY,
    });
    const ms = performance.now() - started;
    const verdict = verdictOf(result, image.mrz);
    const detail =
      verdict === 'exact'
        ? ''
        : verdict === 'wrong'
          ? `read ${result.fields?.mrzLines?.join(' / ')}`
          : String(result.extracted.error ?? result.reasonCodes.join(','));
    out.push({ name: image.name, verdict, ms, detail });
  }
  return out;
}

export function figures(outcomes: Outcome[]): Figures {
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    total: outcomes.length,
    exact: outcomes.filter((o) => o.verdict === 'exact').length,
    refused: outcomes.filter((o) => o.verdict === 'refused').length,
    wrong: outcomes.filter((o) => o.verdict === 'wrong').length,
    p50Ms: Math.round(ms[Math.floor((ms.length - 1) / 2)] ?? 0),
  };
}

export function formatFigures(f: Figures): string {
  return `exact=${f.exact}/${f.total} refused=${f.refused} wrong=${f.wrong} p50_ms=${f.p50Ms}`;
}
