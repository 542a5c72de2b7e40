import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Flow } from '../../functions/domain/model';
import { DEFAULT_THRESHOLDS } from '../../functions/domain/flows';
import type { ImageInput } from '../../functions/ports/checks';

/** Shared test set (tests may read ../shared; the product never does). */
import { TESTDATA } from '../support/testdata';

export { TESTDATA };

export interface FaceLabel {
  file: string;
  identity: string | string[] | null;
  faces: number;
}

export interface DocumentLabel {
  file: string;
  type: 'TD1' | 'TD2' | 'TD3';
  mrz: string[];
  check_digits_valid: boolean;
  portrait: boolean;
  holder_identity: string | null;
  synthetic: boolean;
}

export interface Labels {
  faces: FaceLabel[];
  documents: DocumentLabel[];
}

export interface Pairs {
  face_pairs: Array<{ a: string; b: string; same: boolean }>;
  document_face_pairs: Array<{ document: string; face: string; same: boolean }>;
}

export interface LivenessLabel {
  file: string;
  person: string;
  pose: string;
  approx_yaw_degrees: number;
  /** The labels' error margin of approx_yaw_degrees. */
  yaw_uncertainty_degrees: number;
}

export function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(TESTDATA, relative), 'utf8')) as T;
}

export function image(relative: string): ImageInput {
  return { bytes: readFileSync(path.join(TESTDATA, relative)), label: path.basename(relative) };
}

/** The flow fields the checks read, with the product defaults. */
export const DEFAULT_FLOW: Pick<Flow, 'documentTypes' | 'issuingCountries' | 'minimumAge' | 'thresholds'> = {
  documentTypes: [],
  issuingCountries: [],
  minimumAge: null,
  thresholds: { ...DEFAULT_THRESHOLDS },
};

/** Collects per-check wall times and prints them once per file (for the report; never asserted). */
export class TimingLog {
  private readonly samples = new Map<string, number[]>();

  add(name: string, ms: number): void {
    const list = this.samples.get(name) ?? [];
    list.push(ms);
    this.samples.set(name, list);
  }

  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - start);
    }
  }

  print(title: string): void {
    const lines = [...this.samples.entries()].map(([name, ms]) => {
      const sorted = ms.slice().sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      return `  ${name}: n=${ms.length} median=${median.toFixed(0)} ms max=${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms`;
    });
    // eslint-disable-next-line no-console
    console.log(`${title} timings\n${lines.join('\n')}`);
  }
}
