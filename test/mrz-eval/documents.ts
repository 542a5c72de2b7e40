import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { states } from 'mrz';
import { computeCheckDigit, MRZ_LAYOUT, type MrzFormat } from '../../functions/domain/mrz';
import { TESTDATA } from '../support/testdata';

/**
 * Synthetic identity documents for evaluating the MRZ reader (never for training it: the classifier is trained
 * on single lines by scripts/mrz-glyph-training.ts; these are whole documents with a different generator).
 * Each seed gives one TD1, TD2 or TD3 document with random valid data (check digits computed), a portrait
 * from the test faces, a coloured security background and visual-zone text, captured either as a scan or as
 * a phone photo of the document lying on a table: rotation up to 10 degrees, perspective, blur, noise,
 * uneven light, glare, JPEG quality 30-90, widths 500-2000 px.
 */

/**
 * Seed ranges of the two parts: tune on `tuning` only; `evaluation` is for reporting. The tuning part was seeds
 * 1-60 until 2026-12-06 and was then widened to 1-300 (a fresh, larger set to study failures on).
 */
export const SPLITS = {
  tuning: { first: 1, count: 300 },
  evaluation: { first: 100_001, count: 120 },
} as const;

export type SplitName = keyof typeof SPLITS;

/** The seeds of a split: `count` of them (all by default), skipping the first `skip`. */
export function seedsOf(split: SplitName, count?: number, skip = 0): number[] {
  const { first, count: n } = SPLITS[split];
  const available = Math.max(0, n - skip);
  return Array.from({ length: Math.min(available, count ?? available) }, (_, i) => first + skip + i);
}

export interface SyntheticDocument {
  seed: number;
  format: MrzFormat;
  mrz: string[];
  capture: 'scan' | 'photo';
  width: number;
  jpegQuality: number;
  bytes: Buffer;
}

function rng(seed: number): () => number {
  let a = (seed * 2654435761) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const STATES = [...Object.keys(states).filter((s) => s.length === 3), 'UTO'];
const SYLLABLES = ['AN', 'BER', 'CO', 'DA', 'EL', 'FI', 'GUS', 'HA', 'IN', 'JO', 'KAR', 'LU', 'MAR', 'NO', 'OS', 'PE'];
const MORE = ['QUI', 'RO', 'SA', 'TER', 'UL', 'VAN', 'WEI', 'XA', 'YO', 'ZEN', 'SCH', 'MIL', 'LER', 'SON', 'EZ'];

function word(rand: () => number, min: number, max: number): string {
  const n = min + Math.floor(rand() * (max - min + 1));
  let w = '';
  for (let i = 0; i < n; i++) w += pick(rand, [...SYLLABLES, ...MORE]);
  return w;
}

function yymmdd(rand: () => number, fromYear: number, toYear: number): string {
  const year = fromYear + Math.floor(rand() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  return `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}

const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, '<');
const cd = (s: string) => String(computeCheckDigit(s));

function nameField(rand: () => number, width: number): string {
  const surname = rand() < 0.25 ? `${word(rand, 1, 3)}<${word(rand, 1, 2)}` : word(rand, 1, 4);
  const given = rand() < 0.4 ? `${word(rand, 1, 2)}<${word(rand, 1, 3)}` : word(rand, 1, 3);
  return pad(`${surname}<<${given}`, width).replace(/<+[A-Z]{1,2}$/, (m) => '<'.repeat(m.length));
}

function documentNumber(rand: () => number): string {
  const n = 6 + Math.floor(rand() * 4);
  let s = rand() < 0.5 ? pick(rand, [...LETTERS]) : '';
  while (s.length < n) s += rand() < 0.8 ? pick(rand, [...DIGITS]) : pick(rand, [...LETTERS]);
  return pad(s, 9);
}

function optionalData(rand: () => number, width: number): string {
  if (rand() < 0.5) return '<'.repeat(width);
  const n = Math.floor(rand() * width);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(rand, [...DIGITS, ...LETTERS]);
  return pad(s, width);
}

/** Random valid MRZ lines of `format` (ICAO 9303; every check digit computed). */
export function randomMrz(rand: () => number, format: MrzFormat): string[] {
  const issuer = pick(rand, STATES);
  const nationality = rand() < 0.8 ? issuer : pick(rand, STATES);
  const number = documentNumber(rand);
  const birth = yymmdd(rand, 1940, 2008);
  const expiry = yymmdd(rand, 2024, 2036);
  const sex = pick(rand, ['M', 'F', 'F', 'M', '<']);
  if (format === 'TD1') {
    const code = pick(rand, ['I<', 'ID', 'IR', 'AC', 'C<']);
    const opt1 = optionalData(rand, 15);
    const opt2 = optionalData(rand, 11);
    const l1 = `${code}${issuer}${number}${cd(number)}${opt1}`;
    const l2a = `${birth}${cd(birth)}${sex}${expiry}${cd(expiry)}${nationality}${opt2}`;
    const composite = `${l1.slice(5, 30)}${l2a.slice(0, 7)}${l2a.slice(8, 15)}${l2a.slice(18, 29)}`;
    return [l1, `${l2a}${cd(composite)}`, nameField(rand, 30)];
  }
  const width = MRZ_LAYOUT[format].length;
  const code = format === 'TD3' ? pick(rand, ['P<', 'PP', 'PD']) : pick(rand, ['I<', 'ID', 'AC', 'P<']);
  const l1 = `${code}${issuer}${nameField(rand, width - 5)}`;
  const optWidth = format === 'TD3' ? 14 : 7;
  const opt = optionalData(rand, optWidth);
  const optPart = format === 'TD3' ? `${opt}${opt === '<'.repeat(14) && rand() < 0.5 ? '<' : cd(opt)}` : opt;
  const body = `${number}${cd(number)}${nationality}${birth}${cd(birth)}${sex}${expiry}${cd(expiry)}${optPart}`;
  const composite = `${body.slice(0, 10)}${body.slice(13, 20)}${body.slice(21)}`;
  return [l1, `${body}${cd(composite)}`];
}

/** Document sizes in mm (ISO/IEC 7810 ID-1, ID-2, ID-3 passport page). */
const SIZE_MM: Record<MrzFormat, { w: number; h: number }> = {
  TD1: { w: 85.6, h: 54 },
  TD2: { w: 105, h: 74 },
  TD3: { w: 125, h: 88 },
};

const FACES = readdirSync(path.join(TESTDATA, 'faces')).filter((f) => !f.startsWith('noface') && !f.startsWith('two'));

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The flat document as SVG, `pxPerMm` pixels per mm; the MRZ at ICAO pitch (2.54 mm) in OCR-B. */
async function documentSvg(rand: () => number, format: MrzFormat, mrz: string[], pxPerMm: number): Promise<string> {
  const { w, h } = SIZE_MM[format];
  const W = Math.round(w * pxPerMm);
  const H = Math.round(h * pxPerMm);
  const hue = Math.floor(rand() * 360);
  const hue2 = (hue + 40 + Math.floor(rand() * 80)) % 360;
  const face = readFileSync(path.join(TESTDATA, 'faces', pick(rand, FACES)));
  const portraitW = Math.round(W * (format === 'TD1' ? 0.22 : 0.26));
  const portraitH = Math.round(portraitW * 1.28);
  const portrait = await sharp(face)
    .resize(portraitW, portraitH, { fit: 'cover', position: 'top' })
    .modulate({ saturation: rand() < 0.3 ? 0 : 1 })
    .jpeg({ quality: 85 })
    .toBuffer();
  const guilloche: string[] = [];
  for (let k = 0; k < 14; k++) {
    const amp = H * (0.02 + rand() * 0.08);
    const period = W * (0.05 + rand() * 0.25);
    const y0 = rand() * H;
    let d = `M 0 ${y0.toFixed(1)}`;
    for (let x = 0; x <= W; x += W / 120)
      d += ` L ${x.toFixed(1)} ${(y0 + amp * Math.sin((x / period) * 2 * Math.PI + k)).toFixed(1)}`;
    guilloche.push(
      `<path d="${d}" fill="none" stroke="hsl(${(hue + k * 9) % 360},60%,${55 + Math.floor(rand() * 25)}%)" stroke-width="${(0.5 + rand() * 1.5).toFixed(1)}" opacity="0.6"/>`,
    );
  }
  const pitch = 2.54 * pxPerMm;
  const fontSize = pitch / 0.72;
  const lineGap = (format === 'TD1' ? 4 : 4.2) * pxPerMm;
  const mrzLeft = (format === 'TD1' ? 3.5 : format === 'TD2' ? 6 : 6.5) * pxPerMm;
  const mrzBottom = H - (format === 'TD1' ? 2 : 4) * pxPerMm;
  const mrzText = mrz
    .map((line, i) => {
      const y = mrzBottom - (mrz.length - 1 - i) * lineGap;
      return `<text x="${mrzLeft.toFixed(1)}" y="${y.toFixed(1)}" font-family="OCR B" font-size="${fontSize.toFixed(2)}" fill="#111" xml:space="preserve">${xmlEscape(line)}</text>`;
    })
    .join('');
  const labelSize = (format === 'TD1' ? 1.6 : 2.2) * pxPerMm;
  const valueSize = (format === 'TD1' ? 2.6 : 3.2) * pxPerMm;
  const fieldsX = portraitW + 10 * pxPerMm;
  const fieldTexts = ['SURNAME', 'GIVEN NAMES', 'NATIONALITY', 'DATE OF BIRTH', 'DATE OF EXPIRY']
    .map((label, i) => {
      const y = (format === 'TD1' ? 12 : 14) * pxPerMm + i * (format === 'TD1' ? 5 : 9) * pxPerMm;
      return `<text x="${fieldsX}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="${labelSize}" fill="#445">${label}</text><text x="${fieldsX}" y="${y + valueSize * 1.1}" font-family="DejaVu Sans, sans-serif" font-size="${valueSize}" fill="#111">${word(rand, 1, 3)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,88%)"/><stop offset="1" stop-color="hsl(${hue2},45%,85%)"/></linearGradient></defs>
<rect width="${W}" height="${H}" rx="${3 * pxPerMm}" fill="url(#g)"/>
${guilloche.join('\n')}
<text x="${W * 0.3}" y="${8 * pxPerMm}" font-family="DejaVu Serif, serif" font-weight="bold" font-size="${4.5 * pxPerMm}" fill="hsl(${hue},50%,30%)">${word(rand, 2, 3)} ${word(rand, 1, 2)}</text>
<image x="${4 * pxPerMm}" y="${11 * pxPerMm}" width="${portraitW}" height="${portraitH}" href="data:image/jpeg;base64,${portrait.toString('base64')}"/>
${fieldTexts}
${mrzText}
</svg>`;
}

/** Solves the 3x3 homography mapping the 4 `from` points to the 4 `to` points. */
function homography(from: number[][], to: number[][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as [number, number];
    const [u, v] = to[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination on the 8x9 system.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]?.[c] ?? 0) > Math.abs(a[p]?.[c] ?? 0)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const row = a[c] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = (other[c] ?? 0) / (row[c] ?? 1);
      for (let k = c; k < 9; k++) other[k] = (other[k] ?? 0) - f * (row[k] ?? 0);
    }
  }
  return [...a.map((row, i) => (row[8] ?? 0) / (row[i] ?? 1)), 1];
}

/**
 * Places the document (RGB) into a scene of `sceneW` x `sceneH` by the inverse homography: each scene pixel
 * samples the document bilinearly, or the background when it falls outside.
 */
function warpInto(
  doc: { data: Buffer; width: number; height: number },
  quad: number[][],
  scene: Buffer,
  sceneW: number,
  sceneH: number,
): void {
  const corners = [
    [0, 0],
    [doc.width, 0],
    [doc.width, doc.height],
    [0, doc.height],
  ];
  const m = homography(quad, corners);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (let y = 0; y < sceneH; y++) {
    for (let x = 0; x < sceneW; x++) {
      const wq = m6 * x + m7 * y + m8;
      const u = (m0 * x + m1 * y + m2) / wq - 0.5;
      const v = (m3 * x + m4 * y + m5) / wq - 0.5;
      if (u < 0 || v < 0 || u >= doc.width - 1 || v >= doc.height - 1) continue;
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const fu = u - u0;
      const fv = v - v0;
      const i00 = (v0 * doc.width + u0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + doc.width * 3;
      const i11 = i01 + 3;
      for (let c = 0; c < 3; c++) {
        const d = doc.data;
        scene[(y * sceneW + x) * 3 + c] =
          (d[i00 + c] ?? 0) * (1 - fu) * (1 - fv) +
          (d[i10 + c] ?? 0) * fu * (1 - fv) +
          (d[i01 + c] ?? 0) * (1 - fu) * fv +
          (d[i11 + c] ?? 0) * fu * fv;
      }
    }
  }
}

/** Renders the document of `seed`. */
export async function generateDocument(seed: number): Promise<SyntheticDocument> {
  const rand = rng(seed);
  const format = pick(rand, ['TD1', 'TD2', 'TD3'] as const);
  const mrz = randomMrz(rand, format);
  const capture = rand() < 0.5 ? 'scan' : 'photo';
  const width = 500 + Math.floor(rand() * 1501);
  const jpegQuality = 30 + Math.floor(rand() * 61);
  // Render the document at about the resolution it will have in the final image (no huge intermediate).
  const docShare = capture === 'scan' ? 0.85 + rand() * 0.15 : 0.55 + rand() * 0.3;
  const pxPerMm = Math.max(4, (width * docShare) / SIZE_MM[format].w) * 1.15;
  const svg = await documentSvg(rand, format, mrz, pxPerMm);
  const flat = await sharp(Buffer.from(svg))
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const doc = { data: flat.data, width: flat.info.width, height: flat.info.height };

  // Scene: a scanner bed (near white) or a table (coloured, textured), the document placed by a homography.
  const sceneW = Math.round(doc.width / docShare);
  const sceneH = Math.round(sceneW * (capture === 'scan' ? doc.height / doc.width + 0.1 : 0.75));
  const scene = Buffer.alloc(sceneW * sceneH * 3);
  const table = capture === 'scan' ? [235, 235, 235] : [60 + rand() * 120, 40 + rand() * 90, 20 + rand() * 70];
  const grain = rand() * 0.05 + 0.01;
  for (let y = 0; y < sceneH; y++) {
    const streak = Math.sin(y * grain) * 12;
    for (let x = 0; x < sceneW; x++) {
      for (let c = 0; c < 3; c++)
        scene[(y * sceneW + x) * 3 + c] = Math.max(0, Math.min(255, (table[c] ?? 0) + streak));
    }
  }
  const angle = ((rand() * 2 - 1) * 10 * Math.PI) / 180;
  const cx = sceneW / 2 + (rand() - 0.5) * sceneW * 0.04;
  const cy = sceneH / 2 + (rand() - 0.5) * sceneH * 0.04;
  const persp = capture === 'photo' ? 0.08 : 0.005;
  const quad = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([sx, sy]) => {
    const x = ((sx as number) * doc.width) / 2 + (rand() - 0.5) * persp * doc.width;
    const y = ((sy as number) * doc.height) / 2 + (rand() - 0.5) * persp * doc.width;
    return [cx + x * Math.cos(angle) - y * Math.sin(angle), cy + x * Math.sin(angle) + y * Math.cos(angle)];
  });
  warpInto(doc, quad, scene, sceneW, sceneH);

  // Light: a gradient across the scene, a soft glare spot, sensor noise.
  const lightDir = rand() * 2 * Math.PI;
  const lightAmp = capture === 'photo' ? 0.15 + rand() * 0.3 : rand() * 0.1;
  const glare = rand() < 0.5 && capture === 'photo';
  const gx = rand() * sceneW;
  const gy = rand() * sceneH;
  const gr = sceneW * (0.05 + rand() * 0.12);
  const gStrength = 60 + rand() * 90;
  const noise = rand() * 10;
  const nrand = rng(seed ^ 0xabcdef);
  for (let y = 0; y < sceneH; y++) {
    for (let x = 0; x < sceneW; x++) {
      const t = ((x / sceneW - 0.5) * Math.cos(lightDir) + (y / sceneH - 0.5) * Math.sin(lightDir)) * 2;
      const gain = 1 - lightAmp * (0.5 + 0.5 * t);
      const g = glare ? gStrength * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * gr * gr)) : 0;
      const n = (nrand() + nrand() - 1) * noise;
      for (let c = 0; c < 3; c++) {
        const i = (y * sceneW + x) * 3 + c;
        scene[i] = Math.max(0, Math.min(255, (scene[i] ?? 0) * gain + g + n));
      }
    }
  }
  const height = Math.round((width * sceneH) / sceneW);
  let pipeline = sharp(scene, { raw: { width: sceneW, height: sceneH, channels: 3 } }).resize(width, height);
  const blur = rand();
  if (blur < 0.5) pipeline = pipeline.blur(0.3 + rand() * (width / 1000));
  const bytes = await pipeline.jpeg({ quality: jpegQuality }).toBuffer();
  return { seed, format, mrz, capture, width, jpegQuality, bytes };
}
