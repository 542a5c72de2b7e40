import type * as FaceApi from '@vladmandic/face-api';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import {
  featureExtractorGraph,
  type FeatureExtractorParams,
  LANDMARK_INPUT_SIZE,
  RECOGNITION_INPUT_SIZE,
  recognitionGraph,
  SSD_INPUT_SIZE,
  type SsdParams,
  ssdMobilenetGraph,
  tinyFaceDetectorGraph,
  type TinyYoloParams,
  type WeightTensor,
} from './face-net-graphs';

/**
 * Runs the face nets' layer stacks on onnxruntime's native CPU kernels instead of the tfjs wasm backend, inside
 * face-api: each net's forward step is replaced by the same layers as an ONNX graph (face-net-graphs.ts, built
 * at load from the weights face-api loaded, input normalisation included), and everything around it (image
 * resizing and padding, box decoding, NMS, landmark mapping, face alignment) is face-api's own code. Same nets,
 * same weights, same arithmetic up to float rounding (test/checks/face-net-runtime.test.ts bounds the
 * differences); 2.5-5x less CPU per face analysis (bench:faces, docs/benchmarks.md).
 *
 * Where it runs: the local runtime's face worker threads, where blocking is the point, and the pipeline
 * Lambda's thread (its asset ships onnxruntime, face-model-files.ts).
 *
 * onnxruntime-node's native session runs synchronously (its public `run` only defers that call to the next
 * macrotask); face-api's forward steps are synchronous, so the native session is called directly. One intra-op
 * thread per session: locally there is a face worker per core, and a Lambda has one vCPU.
 */

type FaceApiModule = typeof FaceApi;
type Tf = FaceApiModule['tf'];
type Tensor4D = FaceApi.tf.Tensor4D;

interface OrtOutput {
  data: Float32Array;
  dims: readonly number[];
}

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtOutput>;
}

type OrtModule = typeof import('onnxruntime-node');

interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

/** One ONNX graph in a native session, run synchronously on an NHWC float input. */
class SyncSession {
  private readonly session: NativeSession;
  private readonly Tensor: OrtModule['Tensor'];

  constructor(model: Uint8Array) {
    // Required on first use (see faces.ts): only processes that run the nets here load onnxruntime.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.Tensor = (require('onnxruntime-node') as OrtModule).Tensor;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('onnxruntime-node/dist/binding') as NativeBinding;
    native.initOrt();
    this.session = new native.binding.InferenceSession();
    this.session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, SESSION_OPTIONS);
  }

  run(input: Float32Array, dims: number[], outputs: readonly string[]): Record<string, OrtOutput> {
    const fetches = Object.fromEntries(outputs.map((name) => [name, null]));
    return this.session.run({ input: new this.Tensor('float32', input, dims) }, fetches, {});
  }
}

/**
 * Runs `session` on face-api's batch of padded, resized pixels (NetInput.toBatchTensor at `size`, centred or
 * not, as the replaced step did) and returns the named outputs as tfjs tensors (inside the caller's tidy). The
 * normalisation is in the graphs: face-api's normalize() builds its mean tensor with fill + concat, ~26 ms per
 * 416 px input on wasm, more than the tiny detector itself on onnxruntime.
 */
function runOn(
  tf: Tf,
  session: SyncSession,
  input: FaceApi.NetInput,
  [size, centre]: [number, boolean],
  outputs: readonly string[],
): FaceApi.tf.Tensor[] {
  const x = input.toBatchTensor(size, centre);
  const data = x.dataSync();
  const result = session.run(data instanceof Float32Array ? data : Float32Array.from(data), [...x.shape], outputs);
  return outputs.map((name) => {
    const out = result[name];
    if (!out) throw new Error(`onnxruntime returned no ${name}`);
    return tf.tensor(out.data, [...out.dims], 'float32');
  });
}

/** The face-api internals replaced here (forward steps face-api's own public methods call). */
interface PatchableNets {
  tinyFaceDetector: { params?: unknown; forwardInput: (input: FaceApi.NetInput, inputSize: number) => Tensor4D };
  ssdMobilenetv1: { params?: unknown; forwardInput: (input: FaceApi.NetInput) => unknown };
  faceLandmark68Net: { faceFeatureExtractor: FeatureExtractor };
  faceLandmark68TinyNet: { faceFeatureExtractor: FeatureExtractor };
  faceRecognitionNet: { params?: unknown; forwardInput: (input: FaceApi.NetInput) => unknown };
}

interface FeatureExtractor {
  params?: unknown;
  forwardInput: (input: FaceApi.NetInput) => Tensor4D;
}

/**
 * Replaces the forward steps of face-api's loaded nets with onnxruntime sessions; returns a function that puts
 * face-api's own back (tests compare the two). Call after the nets are loaded.
 */
export function runFaceNetsOnOnnx(faceapi: FaceApiModule): () => void {
  const tf = faceapi.tf;
  const nets = faceapi.nets as unknown as PatchableNets;
  const restore: Array<() => void> = [];
  const replace = <T extends object, K extends keyof T>(target: T, key: K, value: T[K]) => {
    const own = Object.hasOwn(target, key);
    const previous = target[key];
    target[key] = value;
    restore.push(() => {
      if (own) target[key] = previous;
      else delete target[key];
    });
  };

  // Tiny detector: TinyYolov2Base.forwardInput (one graph per input size, built on first use).
  const tiny = nets.tinyFaceDetector;
  const tinySessions = new Map<number, SyncSession>();
  const tinySession = (inputSize: number) => {
    let session = tinySessions.get(inputSize);
    if (!session) {
      session = new SyncSession(tinyFaceDetectorGraph(tiny.params as TinyYoloParams, inputSize));
      tinySessions.set(inputSize, session);
    }
    return session;
  };
  replace(tiny, 'forwardInput', (input: FaceApi.NetInput, inputSize: number) =>
    tf.tidy(() => runOn(tf, tinySession(inputSize), input, [inputSize, false], ['output'])[0] as Tensor4D),
  );

  // SSD: SsdMobilenetv1.forwardInput with normalisation, mobileNetV1 and predictionLayer on onnxruntime.
  const ssd = nets.ssdMobilenetv1;
  const ssdParams = ssd.params as SsdParams & { output_layer: { extra_dim: FaceApi.tf.Tensor } };
  const ssdSession = new SyncSession(ssdMobilenetGraph(ssdParams));
  replace(ssd, 'forwardInput', (input: FaceApi.NetInput) =>
    tf.tidy(() => {
      const [boxes, classes] = runOn(tf, ssdSession, input, [SSD_INPUT_SIZE, false], ['boxes', 'classes']);
      return ssdOutputLayer(tf, boxes as Tensor4D, classes as Tensor4D, ssdParams.output_layer.extra_dim);
    }),
  );

  // Landmark nets: their feature extractors' forwardInput (the fc layer after it stays in face-api).
  for (const [net, isTiny] of [
    [nets.faceLandmark68Net, false],
    [nets.faceLandmark68TinyNet, true],
  ] as const) {
    const extractor = net.faceFeatureExtractor;
    const session = new SyncSession(featureExtractorGraph(extractor.params as FeatureExtractorParams, isTiny));
    replace(extractor, 'forwardInput', (input: FaceApi.NetInput) =>
      tf.tidy(() => runOn(tf, session, input, [LANDMARK_INPUT_SIZE, true], ['output'])[0] as Tensor4D),
    );
  }

  // Recognition: FaceRecognitionNet.forwardInput.
  const recognition = nets.faceRecognitionNet;
  const recognitionSession = new SyncSession(recognitionGraph(recognition.params as Record<string, WeightTensor>));
  replace(recognition, 'forwardInput', (input: FaceApi.NetInput) =>
    tf.tidy(() => runOn(tf, recognitionSession, input, [RECOGNITION_INPUT_SIZE, true], ['output'])[0]),
  );

  return () => {
    for (const undo of restore.reverse()) undo();
  };
}

/** face-api's ssdMobilenetv1/outputLayer (not exported): anchor-relative box decoding and class sigmoid. */
function ssdOutputLayer(tf: Tf, boxPredictions: Tensor4D, classPredictions: Tensor4D, extraDim: FaceApi.tf.Tensor) {
  const batchSize = boxPredictions.shape[0];
  const anchors = tf.reshape(tf.tile(extraDim, [batchSize, 1, 1]), [-1, 4]);
  const encodings = tf.reshape(boxPredictions, [-1, 4]);
  const [a0, a1, a2, a3] = tf.unstack(tf.transpose(anchors, [1, 0])) as [
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
  ];
  const sizes = [tf.sub(a2, a0), tf.sub(a3, a1)] as const;
  const centers = [tf.add(a0, tf.div(sizes[0], 2)), tf.add(a1, tf.div(sizes[1], 2))] as const;
  const [e0, e1, e2, e3] = tf.unstack(tf.transpose(encodings, [1, 0])) as [
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
    FaceApi.tf.Tensor,
  ];
  const div0 = tf.div(tf.mul(tf.exp(tf.div(e2, 5)), sizes[0]), 2);
  const add0 = tf.add(tf.mul(tf.div(e0, 10), sizes[0]), centers[0]);
  const div1 = tf.div(tf.mul(tf.exp(tf.div(e3, 5)), sizes[1]), 2);
  const add1 = tf.add(tf.mul(tf.div(e1, 10), sizes[1]), centers[1]);
  const decoded = tf.transpose(
    tf.stack([tf.sub(add0, div0), tf.sub(add1, div1), tf.add(add0, div0), tf.add(add1, div1)]),
    [1, 0],
  );
  const boxes = tf.reshape(decoded, [batchSize, decoded.shape[0] / batchSize, 4]);
  const scoresAndClasses = tf.sigmoid(tf.slice(classPredictions, [0, 0, 1], [-1, -1, -1]));
  const scores = tf.reshape(tf.slice(scoresAndClasses, [0, 0, 0], [-1, -1, 1]), [
    batchSize,
    scoresAndClasses.shape[1] as number,
  ]);
  return { boxes: tf.unstack(boxes), scores: tf.unstack(scores) };
}
