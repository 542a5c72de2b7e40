import { resizeImage, type RgbImage } from './image';
import { detectTextLines, recognizeLine, type OcrModels, type RecognizedLine, type TextLineBox } from './ocr';
import { assembleMrz, findMrzBlock, type MrzReadFailure, type MrzReadResult, type PlacedLine } from './mrz-text';

/**
 * Finds and reads the MRZ on one document image: text-line detection, merging of line pieces, recognition of
 * long lines only, then MRZ block search and assembly (see mrz-text.ts).
 */

/** Small scans (ID-card backs are often ~250 px wide) are upscaled so MRZ glyphs reach ~20 px. */
const MIN_OCR_WIDTH = 900;

/** Merges boxes lying on one text line (DB detection splits MRZ lines at wide filler gaps). */
export function mergeCollinear(boxes: TextLineBox[]): TextLineBox[] {
  const pending = boxes.slice().sort((a, b) => b.width - a.width);
  const merged: TextLineBox[] = [];
  while (pending.length > 0) {
    const seed = pending.shift() as TextLineBox;
    const cos = Math.cos(seed.angle);
    const sin = Math.sin(seed.angle);
    let minU = -seed.width / 2,
      maxU = seed.width / 2;
    let height = seed.height;
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i < pending.length; i++) {
        const b = pending[i] as TextLineBox;
        const dx = b.cx - seed.cx;
        const dy = b.cy - seed.cy;
        const u = dx * cos + dy * sin;
        const v = -dx * sin + dy * cos;
        const sameRow =
          Math.abs(v) < 0.35 * seed.height && b.height < 1.5 * seed.height && b.height > 0.6 * seed.height;
        const gap = Math.max(minU - (u + b.width / 2), u - b.width / 2 - maxU);
        if (!sameRow || gap > 2.5 * seed.height) continue;
        minU = Math.min(minU, u - b.width / 2);
        maxU = Math.max(maxU, u + b.width / 2);
        height = Math.max(height, b.height);
        pending.splice(i, 1);
        i--;
        changed = true;
      }
    }
    const mid = (minU + maxU) / 2;
    merged.push({ ...seed, cx: seed.cx + mid * cos, cy: seed.cy + mid * sin, width: maxU - minU, height });
  }
  return merged;
}

/**
 * MRZ lines of one block are left-aligned and equally long, but detection often stops short on a line whose
 * tail is all fillers. Boxes stacked under/over a long line with the same left edge get its right edge.
 */
export function alignStacks(boxes: TextLineBox[]): TextLineBox[] {
  const out = boxes.map((b) => ({ ...b }));
  const longest = out.slice().sort((a, b) => b.width - a.width);
  for (const anchor of longest) {
    if (anchor.width / anchor.height < 12) continue;
    const cos = Math.cos(anchor.angle);
    const sin = Math.sin(anchor.angle);
    const anchorLeft = -anchor.width / 2;
    for (const b of out) {
      if (b === anchor || b.width >= anchor.width) continue;
      const dx = b.cx - anchor.cx;
      const dy = b.cy - anchor.cy;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      const left = u - b.width / 2;
      const stacked = Math.abs(v) > 0.8 * anchor.height && Math.abs(v) < 3.2 * anchor.height;
      const aligned = Math.abs(left - anchorLeft) < 1.5 * anchor.height;
      if (!stacked || !aligned || Math.abs(b.height - anchor.height) > 0.5 * anchor.height) continue;
      const right = anchor.width / 2;
      const width = right - left;
      const mid = (left + right) / 2;
      // Keep the box's own perpendicular offset; take the anchor's extent along the line.
      b.cx = anchor.cx + mid * cos - v * sin;
      b.cy = anchor.cy + mid * sin + v * cos;
      b.width = width;
      b.angle = anchor.angle;
    }
  }
  return out;
}

export interface MrzImageRead {
  result: MrzReadResult | MrzReadFailure;
  /** Number of long text lines recognized (for timings/debug). */
  linesRead: number;
}

/** Reads the MRZ of one image; `not_found` when no MRZ-shaped block is present. */
export async function readMrz(models: OcrModels, source: RgbImage): Promise<MrzImageRead> {
  let image = source;
  if (image.width < MIN_OCR_WIDTH) {
    const factor = MIN_OCR_WIDTH / image.width;
    image = await resizeImage(image, MIN_OCR_WIDTH, Math.round(image.height * factor));
  }
  const boxes = alignStacks(mergeCollinear(await detectTextLines(models, image)));
  // MRZ lines are long (>= 30 glyphs) and span a good part of the document width.
  const candidates = boxes.filter((b) => b.width / b.height > 8 && b.width > image.width * 0.3);
  const placed: Array<PlacedLine & { box: TextLineBox }> = [];
  const lineY = (box: TextLineBox) => -box.cx * Math.sin(box.angle) + box.cy * Math.cos(box.angle);
  // The MRZ sits at the bottom of the page: read bottom-up and stop at the first complete MRZ block.
  let block: ReturnType<typeof findMrzBlock> = null;
  for (const box of candidates.sort((a, b) => lineY(b) - lineY(a))) {
    // Sequential on purpose: onnxruntime already uses both cores within one run.
    const line = await recognizeLine(models, image, box);
    placed.push({ line, y: lineY(box), height: box.height, box });
    block = findMrzBlock(placed);
    if (block) break;
  }
  if (!block) return { result: 'not_found', linesRead: placed.length };
  const blockBoxes = block.lines.map((l) => placed.find((p) => p.line === l)?.box as TextLineBox);
  return { result: await stableRead(models, image, block.format, block.lines, blockBoxes), linesRead: placed.length };
}

/** Box-height variants for the second and third opinion (different sampling of the same glyphs). */
const VARIANT_HEIGHTS = [1.2, 0.88];

/**
 * Accepts a read only when two differently sampled recognitions of the block assemble to the same lines.
 * Check digits protect numbers and dates but not names or country codes; agreement between independent
 * samplings is what keeps a confident-looking misread there from passing silently.
 */
async function stableRead(
  models: OcrModels,
  image: RgbImage,
  format: MrzReadResult['format'],
  first: RecognizedLine[],
  boxes: TextLineBox[],
): Promise<MrzReadResult | MrzReadFailure> {
  const reads: Array<MrzReadResult | MrzReadFailure> = [assembleMrz(format, first)];
  for (const factor of VARIANT_HEIGHTS) {
    const lines: RecognizedLine[] = [];
    for (const box of boxes) lines.push(await recognizeLine(models, image, { ...box, height: box.height * factor }));
    const read = assembleMrz(format, lines);
    reads.push(read);
    const agreed = agreement(reads);
    if (agreed) return agreed;
  }
  const failures = reads.filter((r): r is MrzReadFailure => typeof r === 'string');
  return failures.length === reads.length ? (failures[0] ?? 'unstable') : 'unstable';
}

function agreement(reads: Array<MrzReadResult | MrzReadFailure>): MrzReadResult | null {
  const ok = reads.filter((r): r is MrzReadResult => typeof r !== 'string');
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const a = ok[i] as MrzReadResult;
      const b = ok[j] as MrzReadResult;
      if (a.lines.join('\n') === b.lines.join('\n')) {
        // Report the weaker of the two confidences.
        return { ...a, unprotectedConfidence: Math.min(a.unprotectedConfidence, b.unprotectedConfidence) };
      }
    }
  }
  return null;
}
