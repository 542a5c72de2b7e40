import {
  encodeFrameSequence,
  FRAME_SEQUENCE_LIMITS,
  FRAME_SEQUENCE_MAGIC,
  parseFrameSequence,
} from '../../functions/domain/frame-sequence';
import {
  analyseSequence,
  DEFAULT_SEQUENCE_LIMITS,
  type FrameObservation,
  framesForRecognition,
  yawReversals,
} from '../../functions/domain/liveness-sequence';

/** A minimal JPEG header (SOI + SOF0 declaring w x h) followed by filler: enough for the container's checks. */
function jpeg(width: number, height: number, extra = 10): Uint8Array {
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03];
  return new Uint8Array([0xff, 0xd8, ...sof, ...new Array(extra).fill(0)]);
}

describe('frame-sequence container', () => {
  const frames = [0, 200, 400].map((t) => ({ bytes: jpeg(320, 180), t }));

  it('round-trips frames and capture times', () => {
    const parsed = parseFrameSequence(encodeFrameSequence(frames));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.frames.map((f) => [f.t, f.width, f.height, f.bytes.length])).toEqual([
      [0, 320, 180, 22],
      [200, 320, 180, 22],
      [400, 320, 180, 22],
    ]);
  });

  it.each([
    ['no magic', () => new TextEncoder().encode('GIF89a....'), 'magic'],
    ['too few frames', () => encodeFrameSequence(frames.slice(0, 2)), 'index.frames'],
    [
      'a frame that is not a JPEG',
      () => encodeFrameSequence([...frames, { bytes: new Uint8Array([1, 2, 3]), t: 600 }]),
      'index.frames.3',
    ],
    [
      'a frame above the side limit',
      () => encodeFrameSequence([...frames, { bytes: jpeg(1280, 720), t: 600 }]),
      'index.frames.3',
    ],
    ['trailing bytes', () => new Uint8Array([...encodeFrameSequence(frames), 0]), 'body'],
    [
      'an index length past the end',
      () => {
        const b = encodeFrameSequence(frames);
        new DataView(b.buffer).setUint32(FRAME_SEQUENCE_MAGIC.length, 1e6, false);
        return b;
      },
      'index',
    ],
  ])('refuses %s, naming the field', (_name, make, field) => {
    const parsed = parseFrameSequence(make());
    expect(parsed).toMatchObject({ ok: false, field });
  });

  it('refuses more frames than the limit and unknown index fields', () => {
    const many = Array.from({ length: FRAME_SEQUENCE_LIMITS.maxFrames + 1 }, (_, i) => ({ bytes: jpeg(32, 32), t: i }));
    expect(parseFrameSequence(encodeFrameSequence(many))).toMatchObject({ ok: false, field: 'index.frames' });
    const json = new TextEncoder().encode(JSON.stringify({ version: 1, frames: [], extra: 1 }));
    const b = new Uint8Array(12 + json.length);
    b.set(new TextEncoder().encode(FRAME_SEQUENCE_MAGIC));
    new DataView(b.buffer).setUint32(8, json.length, false);
    b.set(json, 12);
    expect(parseFrameSequence(b).ok).toBe(false);
  });
});

/** A synthetic recording: one frame per (t, yaw), a face that stays put, thumbnails that all differ. */
function recording(points: Array<[t: number, yaw: number | null]>, opts: { faces?: number } = {}): FrameObservation[] {
  return points.map(([t, yaw], i) => ({
    t,
    faces: yaw === null ? 0 : (opts.faces ?? 1),
    face: yaw === null ? null : { box: { x: 100, y: 50, width: 80, height: 80 }, score: 0.9, yaw },
    thumb: new Uint8Array(256).fill(i * 7),
  }));
}

/** Yaw sweeping from `from` to `to` in `steps` frames every 200 ms (5 fps), starting at `t0`. */
function sweep(t0: number, from: number, to: number, steps: number): Array<[number, number]> {
  return Array.from({ length: steps }, (_, i) => [t0 + i * 200, from + ((to - from) * i) / (steps - 1)]);
}

const codes = (frames: FrameObservation[], prompts: Parameters<typeof analyseSequence>[1]) =>
  analyseSequence(frames, prompts).problems.map((p) => p.code);

describe('analyseSequence', () => {
  // centre -> left (+35) -> back through centre -> right (-35), 5 fps.
  const live = recording([...sweep(0, 0, 35, 6), ...sweep(1200, 30, -35, 8)]);

  it('passes prompts met in order through smooth motion', () => {
    const analysis = analyseSequence(live, ['left', 'centre', 'right']);
    expect(analysis.problems).toEqual([]);
    expect(analysis.ok).toBe(true);
    expect(analysis.promptFrames).toEqual([3, 8, 12]);
  });

  it('refuses a prompt order the motion does not show', () => {
    expect(codes(live, ['right', 'centre', 'left'])).toContain('prompt_not_met');
  });

  it('refuses a gap longer than the limit and a long detector dropout', () => {
    const gappy = recording([...sweep(0, 0, 35, 6), ...sweep(1001 + DEFAULT_SEQUENCE_LIMITS.maxGapMs, 30, -35, 8)]);
    expect(codes(gappy, ['left', 'centre', 'right'])).toContain('gap');
    const lost = recording([
      [0, 0],
      [200, 20],
      [400, null],
      [600, null],
      [800, null],
      [1000, null],
      [1200, null],
      [1400, -20],
    ]);
    expect(codes(lost, ['left', 'right'])).toContain('face_lost');
  });

  it('refuses a yaw jump no head makes between two frames', () => {
    // -40 to +40 in 50 ms: 1600 deg/s.
    const jump = recording([
      [0, 0],
      [200, -40],
      [250, 40],
      [450, 40],
      [650, 0],
      [850, 0],
    ]);
    expect(codes(jump, ['right', 'left', 'centre'])).toContain('yaw_jump');
  });

  it('refuses a face that jumps across the frame', () => {
    const frames = recording([...sweep(0, 0, 35, 6), ...sweep(1200, 30, -35, 8)]);
    frames[7]!.face!.box = { x: 400, y: 50, width: 80, height: 80 };
    expect(codes(frames, ['left', 'centre', 'right'])).toContain('position_jump');
  });

  it('refuses a pose reached sooner than a reaction allows', () => {
    const fast = recording([
      [0, 0],
      [200, 30],
      [300, -30],
      [500, -30],
      [700, 0],
    ]);
    expect(codes(fast, ['left', 'right'])).toContain('too_fast');
  });

  it('refuses a turn to the side nobody asked for between two prompts', () => {
    const wrong = recording([...sweep(0, 0, 35, 4), ...sweep(800, 30, -35, 6), ...sweep(2000, -30, 35, 6)]);
    expect(codes(wrong, ['left', 'centre', 'left'])).toEqual(expect.arrayContaining(['unprompted_turn']));
  });

  it('refuses a zig-zag (shuffled frames) and counts reversals above the noise only', () => {
    const zigzag = recording([0, 35, -35, 30, -30, 35, -35, 0].map((y, i) => [i * 200, y]));
    expect(codes(zigzag, ['left', 'right', 'centre'])).toContain('not_smooth');
    expect(yawReversals([0, 5, -5, 5, -5, 30, 0, -30], 20)).toBe(1);
  });

  it('refuses a run of identical pictures as replayed, but not a single repeated frame', () => {
    const frames = recording([...sweep(0, 0, 35, 6), ...sweep(1200, 30, -35, 8)]);
    frames[3]!.thumb = frames[2]!.thumb;
    expect(analyseSequence(frames, ['left', 'centre', 'right']).replayed).toBe(false);
    for (let i = 3; i < 9; i++) frames[i]!.thumb = frames[2]!.thumb;
    const analysis = analyseSequence(frames, ['left', 'centre', 'right']);
    expect(analysis.replayed).toBe(true);
    expect(analysis.problems.map((p) => p.code)).toContain('duplicate_run');
  });

  it('refuses timestamps that go back (replay) and several faces', () => {
    const back = recording([
      [0, 0],
      [400, 20],
      [200, 30],
      [600, 0],
      [800, -30],
    ]);
    const analysis = analyseSequence(back, ['left', 'right']);
    expect(analysis.problems.map((p) => p.code)).toContain('timestamps_not_increasing');
    expect(analysis.replayed).toBe(true);
    expect(codes(recording(sweep(0, 0, 35, 6), { faces: 2 }), ['left'])).toContain('multiple_faces');
  });

  it('picks the prompt frames and the ends for recognition', () => {
    const analysis = analyseSequence(live, ['left', 'centre', 'right']);
    const picked = framesForRecognition(live, analysis);
    expect(picked).toEqual(expect.arrayContaining([0, 3, 8, 12, live.length - 1]));
    expect(picked.length).toBeLessThanOrEqual(7);
  });
});
