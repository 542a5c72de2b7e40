#!/usr/bin/env node
/**
 * Prints FACE_MODEL_POINTS of functions/domain/head-pose.ts: the vertices of MediaPipe's canonical face model
 * (Apache-2.0, Copyright Google LLC) that correspond to the 68-landmark points 17-67, in the model's units
 * (x toward the image's right at a frontal pose, y up, z toward the camera).
 *
 * Source: the `@mediapipe/face_mesh` npm package, whose packed assets hold
 * mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb: a GeometryPipelineMetadata
 * protobuf whose canonical_mesh (field 1) lists vertex_buffer floats (field 3) as x, y, z, u, v per vertex.
 * A maintainer's tool (it fetches the package with `npm pack`); the product and the tests never run it.
 *
 *   node scripts/extract-face-model-points.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = '@mediapipe/face_mesh@0.4.1657299874';
const METADATA = 'geometry_pipeline_metadata_landmarks.binarypb';

/**
 * The mesh vertex of each 68-landmark point (iBUG/dlib order), by the semantic correspondence of the two
 * layouts (the common MediaPipe-to-dlib table). Points 0-16 (jaw contour) are listed for completeness; the
 * head-pose fit does not use them.
 */
const MESH_VERTEX_OF_POINT = [
  162,
  234,
  93,
  58,
  172,
  136,
  149,
  148,
  152,
  377,
  378,
  365,
  397,
  288,
  323,
  454,
  389, // jaw 0-16
  71,
  63,
  105,
  66,
  107, // brow 17-21 (image left)
  336,
  296,
  334,
  293,
  301, // brow 22-26
  168,
  197,
  5,
  4, // nose bridge 27-30
  75,
  97,
  2,
  326,
  305, // nostrils 31-35
  33,
  160,
  158,
  133,
  153,
  144, // eye 36-41 (image left)
  362,
  385,
  387,
  263,
  373,
  380, // eye 42-47
  61,
  39,
  37,
  0,
  267,
  269,
  291,
  405,
  314,
  17,
  84,
  181, // outer lips 48-59
  78,
  82,
  13,
  312,
  308,
  317,
  14,
  87, // inner lips 60-67
];

function varint(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** The fields of a protobuf message as [field number, wire type, value] (value: bytes for wire types 1, 2, 5). */
function fields(bytes) {
  const out = [];
  let at = 0;
  while (at < bytes.length) {
    let key;
    [key, at] = varint(bytes, at);
    const [field, wire] = [Math.floor(key / 8), key % 8];
    if (wire === 0) {
      let v;
      [v, at] = varint(bytes, at);
      out.push([field, wire, v]);
    } else if (wire === 2) {
      let length;
      [length, at] = varint(bytes, at);
      out.push([field, wire, bytes.subarray(at, at + length)]);
      at += length;
    } else if (wire === 5 || wire === 1) {
      const size = wire === 5 ? 4 : 8;
      out.push([field, wire, bytes.subarray(at, at + size)]);
      at += size;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'face-mesh-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  const pkg = join(dir, 'package');
  const loader = readFileSync(join(pkg, 'face_mesh_solution_packed_assets_loader.js'), 'utf8');
  const entry = loader.match(
    new RegExp(`"filename":\\s*"[^"]*${METADATA}",\\s*"start":\\s*(\\d+),\\s*"end":\\s*(\\d+)`),
  );
  if (!entry) throw new Error(`${METADATA} not found in the packed assets`);
  const packed = readFileSync(join(pkg, 'face_mesh_solution_packed_assets.data'));
  const metadata = packed.subarray(Number(entry[1]), Number(entry[2]));
  const mesh = fields(metadata).find(([field]) => field === 1)?.[2];
  const floats = fields(mesh)
    .filter(([field]) => field === 3)
    .map(([, , v]) => Buffer.from(v).readFloatLE(0));
  if (floats.length !== 468 * 5) throw new Error(`expected 468 vertices, got ${floats.length / 5}`);
  const round = (v) => Number(v.toFixed(4));
  for (let point = 17; point < 68; point++) {
    const vertex = MESH_VERTEX_OF_POINT[point];
    const [x, y, z] = floats.slice(vertex * 5, vertex * 5 + 3).map(round);
    console.log(`  [${x}, ${y}, ${z}], // ${point} <- ${vertex}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
