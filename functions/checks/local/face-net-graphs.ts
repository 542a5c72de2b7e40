import { float, OnnxGraph } from './onnx-model';

/**
 * The face-api nets' layer stacks as ONNX graphs, built from the very weight tensors face-api loaded (tfjs
 * layouts: conv filters HWIO, depthwise filters HW-C-multiplier). Each builder mirrors one function of
 * @vladmandic/face-api's source, named in its comment, operator for operator, and starts with the net's input
 * normalisation (mean subtraction and scaling, see {@link FaceGraph.input}); resizing and padding, box decoding,
 * NMS and landmark mapping stay in face-api. Inputs and outputs are NHWC like
 * tfjs; inside, the graph is NCHW as onnxruntime's kernels want. tfjs 'same' padding puts the odd pixel at the
 * end, which is ONNX's SAME_UPPER.
 */

/** A weight tensor as face-api holds it (a tfjs tensor). */
export interface WeightTensor {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

type Padding = 'same' | 'valid';

/** One elementwise normalisation step on the NHWC input. */
type Normalisation = readonly ['Sub' | 'Div', number | readonly [number, number, number]];

/** face-api's normalize(x, meanRgb).div(255): the tiny detector's mean, then the landmark and recognition nets'. */
const TINY_DETECTOR_NORMALISATION: readonly Normalisation[] = [
  ['Sub', [117.001, 114.697, 97.404]],
  ['Div', 255],
];
const FACE_CROP_NORMALISATION: readonly Normalisation[] = [
  ['Sub', [122.782, 117.001, 104.298]],
  ['Div', 255],
];
/** SsdMobilenetv1.forwardInput: tf.sub(tf.div(x, 127.5), 1). */
const SSD_NORMALISATION: readonly Normalisation[] = [
  ['Div', 127.5],
  ['Sub', 1],
];

/** A value in the graph with its static NCHW channel count and spatial size (batch is symbolic). */
interface Value {
  name: string;
  c: number;
  h: number;
  w: number;
}

function values(t: WeightTensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/**
 * A tfjs [kh, kw, A, B] filter in ONNX's channels-first order: [B, A, kh, kw] for a conv (A inputs, B outputs,
 * `outputs-outer`), [A * B, 1, kh, kw] for a depthwise conv (A channels, B multiplier: channel c's outputs are
 * c*B..c*B+B-1, `inputs-outer`).
 */
function channelsFirst(filter: WeightTensor, order: 'outputs-outer' | 'inputs-outer'): Float32Array {
  const [kh, kw, a, b] = filter.shape as [number, number, number, number];
  const src = values(filter);
  const out = new Float32Array(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < a; i++)
        for (let j = 0; j < b; j++) {
          const outer = order === 'outputs-outer' ? j * a + i : i * b + j;
          out[(outer * kh + y) * kw + x] = src[((y * kw + x) * a + i) * b + j] as number;
        }
  return out;
}

function outSize(size: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** NCHW graph helpers over tfjs-layout weights. */
class FaceGraph {
  readonly g = new OnnxGraph();

  /**
   * The NHWC float input (pixels 0-255), normalised by `steps` in face-api's order (an elementwise Sub or Div
   * by a scalar or per-channel RGB constant, the same float operations as in tfjs), transposed to NCHW.
   */
  input(name: string, size: number, steps: readonly Normalisation[]): Value {
    let x = name;
    for (const [op, by] of steps) {
      const constant =
        typeof by === 'number' ? this.g.weight(Float32Array.of(by), []) : this.g.weight(Float32Array.from(by), [3]);
      x = this.g.op(op, [x, constant]);
    }
    return { name: this.g.op('Transpose', [x], { perm: [0, 3, 1, 2] }), c: 3, h: size, w: size };
  }

  /** NCHW back to NHWC. */
  toNhwc(x: Value): string {
    return this.g.op('Transpose', [x.name], { perm: [0, 2, 3, 1] });
  }

  /** A per-channel vector as a [1,C,1,1] initializer (broadcasts over NCHW). */
  channelVector(t: WeightTensor): string {
    const v = values(t);
    return this.g.weight(v, [1, v.length, 1, 1]);
  }

  /** tf.conv2d with an HWIO filter, plus an optional bias. */
  conv(x: Value, filters: WeightTensor, stride: number, padding: Padding, bias?: WeightTensor): Value {
    const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
    if (cin !== x.c) throw new Error(`conv expects ${cin} channels, got ${x.c}`);
    const inputs = [x.name, this.g.weight(channelsFirst(filters, 'outputs-outer'), [cout, cin, kh, kw])];
    if (bias) inputs.push(this.g.weight(values(bias), [cout]));
    return this.convNode(x, inputs, [kh, kw], cout, stride, padding, 1);
  }

  /** tf.depthwiseConv2d with an [kh,kw,C,multiplier] filter (a grouped conv, one group per channel). */
  depthwise(x: Value, filter: WeightTensor, stride: number, padding: Padding): Value {
    const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
    if (cin !== x.c) throw new Error(`depthwise conv expects ${cin} channels, got ${x.c}`);
    const w = this.g.weight(channelsFirst(filter, 'inputs-outer'), [cin * mult, 1, kh, kw]);
    return this.convNode(x, [x.name, w], [kh, kw], cin * mult, stride, padding, cin);
  }

  private convNode(
    x: Value,
    inputs: string[],
    [kh, kw]: [number, number],
    c: number,
    stride: number,
    padding: Padding,
    group: number,
  ): Value {
    const name = this.g.op('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: [stride, stride],
      group,
      ...(padding === 'same' ? { auto_pad: 'SAME_UPPER' } : {}),
    });
    return { name, c, h: outSize(x.h, kh, stride, padding), w: outSize(x.w, kw, stride, padding) };
  }

  /** tf.separableConv2d (depthwise with the stride and padding, then a 1x1 pointwise conv) plus bias. */
  separable(
    x: Value,
    p: { depthwise_filter: WeightTensor; pointwise_filter: WeightTensor; bias: WeightTensor },
    stride: number,
    padding: Padding,
  ): Value {
    return this.conv(this.depthwise(x, p.depthwise_filter, stride, padding), p.pointwise_filter, 1, 'valid', p.bias);
  }

  unary(op: string, x: Value, attributes: Record<string, number | { float: number }> = {}): Value {
    return { ...x, name: this.g.op(op, [x.name], attributes) };
  }

  relu(x: Value): Value {
    return this.unary('Relu', x);
  }

  /** tf.clipByValue(x, 0, 6). */
  relu6(x: Value): Value {
    return { ...x, name: this.g.op('Clip', [x.name, this.scalar(0), this.scalar(6)]) };
  }

  add(a: Value, b: Value): Value {
    return { ...a, name: this.g.op('Add', [a.name, b.name]) };
  }

  /** x * w + b per channel (face-api's scale layer). */
  scale(x: Value, p: { weights: WeightTensor; biases: WeightTensor }): Value {
    const mul = this.g.op('Mul', [x.name, this.channelVector(p.weights)]);
    return { ...x, name: this.g.op('Add', [mul, this.channelVector(p.biases)]) };
  }

  pool(op: 'MaxPool' | 'AveragePool', x: Value, kernel: number, stride: number, padding: Padding): Value {
    const name = this.g.op(op, [x.name], {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      ...(padding === 'same' ? { auto_pad: 'SAME_UPPER' } : {}),
    });
    return { name, c: x.c, h: outSize(x.h, kernel, stride, padding), w: outSize(x.w, kernel, stride, padding) };
  }

  /** Zero padding of an NCHW value: [cBegin, hBegin, wBegin, cEnd, hEnd, wEnd]. */
  pad(x: Value, [c0, h0, w0, c1, h1, w1]: [number, number, number, number, number, number]): Value {
    const name = this.g.op('Pad', [x.name, this.g.int64s([0, c0, h0, w0, 0, c1, h1, w1])]);
    return { name, c: x.c + c0 + c1, h: x.h + h0 + h1, w: x.w + w0 + w1 };
  }

  scalar(v: number): string {
    return this.g.weight(Float32Array.of(v), []);
  }
}

/** The model's symbolic batch dimension. */
const BATCH = 'N';

/** Tiny face detector: TinyYolov2Base.runMobilenet with TinyFaceDetector's config (first layer a plain conv). */
export interface TinyYoloParams {
  conv0: { filters: WeightTensor; bias: WeightTensor };
  conv1: SeparableParams;
  conv2: SeparableParams;
  conv3: SeparableParams;
  conv4: SeparableParams;
  conv5: SeparableParams;
  conv8: { filters: WeightTensor; bias: WeightTensor };
}

interface SeparableParams {
  depthwise_filter: WeightTensor;
  pointwise_filter: WeightTensor;
  bias: WeightTensor;
}

/** face-api's tinyYolov2 leaky(): max(x, 0.1x) for this slope. */
const LEAKY_ALPHA = 0.10000000149011612;

/** The tiny detector's graph for one input size: NHWC pixels -> NHWC [N, cells, cells, 25]. */
export function tinyFaceDetectorGraph(params: TinyYoloParams, inputSize: number): Uint8Array {
  const f = new FaceGraph();
  const leaky = (x: Value) => f.unary('LeakyRelu', x, { alpha: float(LEAKY_ALPHA) });
  // tinyYolov2/depthwiseSeparableConv: pad 1, valid separable conv, bias, leaky.
  const sep = (x: Value, p: SeparableParams) => leaky(f.separable(f.pad(x, [0, 1, 1, 0, 1, 1]), p, 1, 'valid'));
  let out = leaky(
    f.conv(
      f.input('input', inputSize, TINY_DETECTOR_NORMALISATION),
      params.conv0.filters,
      1,
      'valid',
      params.conv0.bias,
    ),
  );
  out = f.pool('MaxPool', out, 2, 2, 'same');
  for (const p of [params.conv1, params.conv2, params.conv3, params.conv4]) {
    out = f.pool('MaxPool', sep(out, p), 2, 2, 'same');
  }
  out = f.pool('MaxPool', sep(out, params.conv5), 2, 1, 'same');
  out = f.conv(out, params.conv8.filters, 1, 'valid', params.conv8.bias);
  return f.g.toModel(
    [{ name: 'input', dims: [BATCH, inputSize, inputSize, 3] }],
    [{ name: 'output', dims: [BATCH, out.h, out.w, out.c], from: f.toNhwc(out) }],
  );
}

/** SSD MobileNet v1: ssdMobilenetv1/mobileNetV1 then predictionLayer (outputLayer's box decoding stays in tfjs). */
export interface SsdParams {
  mobilenetv1: Record<string, unknown>;
  prediction_layer: Record<string, unknown>;
}

interface PointwiseParams {
  filters: WeightTensor;
  batch_norm_offset: WeightTensor;
}

interface DepthwiseParams {
  filters: WeightTensor;
  batch_norm_scale: WeightTensor;
  batch_norm_offset: WeightTensor;
  batch_norm_mean: WeightTensor;
  batch_norm_variance: WeightTensor;
}

interface ConvBias {
  filters: WeightTensor;
  bias: WeightTensor;
}

/** mobileNetV1's batch norm epsilon. */
const SSD_BN_EPSILON = 0.0010000000474974513;

/** SSD's input size (face-api resizes every image to it). */
export const SSD_INPUT_SIZE = 512;

/** NHWC [N,512,512,3] pixels -> `boxes` [N, anchors, 1, 4] and `classes` [N, anchors, 3], as predictionLayer. */
export function ssdMobilenetGraph(params: SsdParams): Uint8Array {
  const f = new FaceGraph();
  const m = params.mobilenetv1;
  const pointwise = (x: Value, p: PointwiseParams, stride: number) =>
    f.relu6(f.conv(x, p.filters, stride, 'same', p.batch_norm_offset));
  const depthwise = (x: Value, p: DepthwiseParams, stride: number) => {
    const conv = f.depthwise(x, p.filters, stride, 'same');
    const bn = f.g.op(
      'BatchNormalization',
      [
        conv.name,
        f.g.weight(values(p.batch_norm_scale), [conv.c]),
        f.g.weight(values(p.batch_norm_offset), [conv.c]),
        f.g.weight(values(p.batch_norm_mean), [conv.c]),
        f.g.weight(values(p.batch_norm_variance), [conv.c]),
      ],
      { epsilon: float(SSD_BN_EPSILON) },
    );
    return f.relu6({ ...conv, name: bn });
  };
  let out = pointwise(f.input('input', SSD_INPUT_SIZE, SSD_NORMALISATION), m.conv_0 as PointwiseParams, 2);
  let conv11: Value | null = null;
  for (let layer = 1; layer <= 13; layer++) {
    const pair = m[`conv_${layer}`] as { depthwise_conv: DepthwiseParams; pointwise_conv: PointwiseParams };
    out = depthwise(out, pair.depthwise_conv, [2, 4, 6, 12].includes(layer) ? 2 : 1);
    out = pointwise(out, pair.pointwise_conv, 1);
    if (layer === 11) conv11 = out;
  }
  if (!conv11) throw new Error('mobileNetV1 has no layer 11');
  const p = params.prediction_layer;
  const layer = (i: number) => p[`conv_${i}`] as PointwiseParams;
  const conv0 = pointwise(out, layer(0), 1);
  const conv1 = pointwise(conv0, layer(1), 2);
  const conv3 = pointwise(pointwise(conv1, layer(2), 1), layer(3), 2);
  const conv5 = pointwise(pointwise(conv3, layer(4), 1), layer(5), 2);
  const conv7 = pointwise(pointwise(conv5, layer(6), 1), layer(7), 2);
  const boxes: string[] = [];
  const classes: string[] = [];
  [conv11, out, conv1, conv3, conv5, conv7].forEach((x, i) => {
    const predictor = p[`box_predictor_${i}`] as { box_encoding_predictor: ConvBias; class_predictor: ConvBias };
    // boxPredictionLayer: reshapes of the NHWC conv output.
    const enc = f.conv(x, predictor.box_encoding_predictor.filters, 1, 'same', predictor.box_encoding_predictor.bias);
    boxes.push(f.g.op('Reshape', [f.toNhwc(enc), f.g.int64s([0, -1, 1, 4])]));
    const cls = f.conv(x, predictor.class_predictor.filters, 1, 'same', predictor.class_predictor.bias);
    classes.push(f.g.op('Reshape', [f.toNhwc(cls), f.g.int64s([0, -1, 3])]));
  });
  return f.g.toModel(
    [{ name: 'input', dims: [BATCH, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3] }],
    [
      { name: 'boxes', dims: [BATCH, 'anchors', 1, 4], from: f.g.op('Concat', boxes, { axis: 1 }) },
      { name: 'classes', dims: [BATCH, 'anchors', 3], from: f.g.op('Concat', classes, { axis: 1 }) },
    ],
  );
}

/** The landmark nets' feature extractors: FaceFeatureExtractor (4 denseBlock4) or TinyFaceFeatureExtractor (3 denseBlock3). */
export type FeatureExtractorParams = Record<string, Record<string, unknown>>;

/** Face crop size of the landmark nets. */
export const LANDMARK_INPUT_SIZE = 112;

/** NHWC [N,112,112,3] face crop pixels -> NHWC [N,1,1,C] features (before the landmark net's fc layer). */
export function featureExtractorGraph(params: FeatureExtractorParams, tiny: boolean): Uint8Array {
  const f = new FaceGraph();
  // face-api adds a dense block's outputs as out1 + (out2 + (out3 + ...)); float addition is not associative.
  const nestedSum = (parts: Value[]): Value => {
    const [head, ...rest] = parts as [Value, ...Value[]];
    return rest.length === 0 ? head : f.add(head, nestedSum(rest));
  };
  // faceFeatureExtractor/denseBlock: a strided first conv, then separable convs each over the relu of the sum so far.
  const dense = (x: Value, block: Record<string, unknown>, first: boolean) => {
    const conv0 = block.conv0 as ConvBias & SeparableParams;
    const outs = [f.relu(first ? f.conv(x, conv0.filters, 2, 'same', conv0.bias) : f.separable(x, conv0, 2, 'same'))];
    let next = outs[0] as Value;
    for (const i of tiny ? [1, 2] : [1, 2, 3]) {
      outs.push(f.separable(next, block[`conv${i}`] as SeparableParams, 1, 'same'));
      next = f.relu(nestedSum(outs));
    }
    return next;
  };
  let out = f.input('input', LANDMARK_INPUT_SIZE, FACE_CROP_NORMALISATION);
  const blocks = tiny ? 3 : 4;
  for (let i = 0; i < blocks; i++) out = dense(out, params[`dense${i}`] as Record<string, unknown>, i === 0);
  out = tiny ? f.pool('AveragePool', out, 14, 2, 'valid') : f.pool('AveragePool', out, 7, 2, 'valid');
  return f.g.toModel(
    [{ name: 'input', dims: [BATCH, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3] }],
    [{ name: 'output', dims: [BATCH, out.h, out.w, out.c], from: f.toNhwc(out) }],
  );
}

/** The recognition net's aligned face crop size. */
export const RECOGNITION_INPUT_SIZE = 150;

interface ConvScale {
  conv: ConvBias;
  scale: { weights: WeightTensor; biases: WeightTensor };
}

interface Residual {
  conv1: ConvScale;
  conv2: ConvScale;
}

/** FaceRecognitionNet.forwardInput: NHWC [N,150,150,3] -> [N,128] descriptor. */
export function recognitionGraph(params: Record<string, unknown>): Uint8Array {
  const f = new FaceGraph();
  // faceRecognitionNet/convLayer: conv + bias, scale, optional relu.
  const conv = (x: Value, p: ConvScale, stride: number, relu: boolean, padding: Padding = 'same') => {
    const out = f.scale(f.conv(x, p.conv.filters, stride, padding, p.conv.bias), p.scale);
    return relu ? f.relu(out) : out;
  };
  const residual = (x: Value, p: Residual) => f.relu(f.add(conv(conv(x, p.conv1, 1, true), p.conv2, 1, false), x));
  const residualDown = (x: Value, p: Residual) => {
    let out = conv(conv(x, p.conv1, 2, true, 'valid'), p.conv2, 1, false);
    let pooled = f.pool('AveragePool', x, 2, 2, 'valid');
    // Zero rows/columns at the end when the strided valid conv came out one smaller than the pool.
    if (pooled.h !== out.h || pooled.w !== out.w) out = f.pad(out, [0, 0, 0, 0, 1, 1]);
    // Zero channels appended when the block doubles them.
    if (pooled.c !== out.c) pooled = f.pad(pooled, [0, 0, 0, out.c - pooled.c, 0, 0]);
    return f.relu(f.add(pooled, out));
  };
  const r = (name: string) => params[name] as Residual;
  let out = conv(
    f.input('input', RECOGNITION_INPUT_SIZE, FACE_CROP_NORMALISATION),
    params.conv32_down as ConvScale,
    2,
    true,
    'valid',
  );
  out = f.pool('MaxPool', out, 3, 2, 'valid');
  for (const name of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, r(name));
  out = residualDown(out, r('conv64_down'));
  for (const name of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, r(name));
  out = residualDown(out, r('conv128_down'));
  for (const name of ['conv128_1', 'conv128_2']) out = residual(out, r(name));
  out = residualDown(out, r('conv256_down'));
  for (const name of ['conv256_1', 'conv256_2']) out = residual(out, r(name));
  out = residualDown(out, r('conv256_down_out'));
  const mean = f.g.op('ReduceMean', [out.name], { axes: [2, 3], keepdims: 0 });
  const fc = params.fc as WeightTensor;
  const descriptor = f.g.op('MatMul', [mean, f.g.weight(values(fc), [...fc.shape])]);
  return f.g.toModel(
    [{ name: 'input', dims: [BATCH, RECOGNITION_INPUT_SIZE, RECOGNITION_INPUT_SIZE, 3] }],
    [{ name: 'output', dims: [BATCH, fc.shape[1] as number], from: descriptor }],
  );
}
