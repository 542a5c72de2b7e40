/**
 * A minimal ONNX model writer: enough of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto) to serialise a float32 inference graph that onnxruntime loads from a buffer.
 * It exists so the face nets, whose weights ship as tfjs weight files in @vladmandic/face-api, run on
 * onnxruntime's native kernels without a converter or a second copy of the weights (see face-net-graphs.ts).
 * Field numbers are onnx.proto's; repeated scalars are written unpacked (valid for proto2 and proto3 parsers).
 */

/** ONNX TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;

/** AttributeProto.AttributeType values used here. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

/** Protobuf wire types. */
const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;

/** A growable protobuf message buffer. */
class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length > 0) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number): this {
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, BYTES);
    this.varint(value.length);
    this.flushScratch();
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flushScratch();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** An attribute value: numbers are ints unless wrapped with {@link float} / {@link floats}. */
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

/** A float attribute (plain numbers are written as ints). */
export const float = (value: number): { float: number } => ({ float: value });

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

interface Initializer {
  name: string;
  dims: number[];
  type: typeof FLOAT | typeof INT64;
  raw: Uint8Array;
}

/** One graph input or output: float32 with the given dims (a string = a symbolic dimension). */
export interface ValueInfo {
  name: string;
  dims: Array<number | string>;
}

/**
 * Builds one ONNX graph. Values are named by the builder (`v0`, `v1`, ...); weights become initializers.
 * `opset` 17 covers every operator used (Conv, MaxPool, AveragePool, BatchNormalization, Clip, Pad, ...).
 */
export class OnnxGraph {
  private nodes: Node[] = [];
  private initializers: Initializer[] = [];
  private counter = 0;

  /** A fresh value name. */
  fresh(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  /** Adds a float32 initializer (copied), returning its name. */
  weight(data: Float32Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`weight has ${data.length} values, dims ${dims.join('x')}`);
    const name = this.fresh('w');
    const copy = new Float32Array(data);
    this.initializers.push({ name, dims, type: FLOAT, raw: new Uint8Array(copy.buffer) });
    return name;
  }

  /** Adds an int64 initializer (shapes, pads), returning its name. */
  int64s(values: number[]): string {
    const name = this.fresh('k');
    const arr = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], type: INT64, raw: new Uint8Array(arr.buffer) });
    return name;
  }

  /** Adds a node with one output, returning the output's name. */
  op(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    const out = this.fresh();
    this.nodes.push({ op, inputs, outputs: [out], attributes });
    return out;
  }

  /** Serialises the graph with its inputs and outputs as an ONNX model (IR 8, default-domain opset 17). */
  toModel(inputs: ValueInfo[], outputs: Array<ValueInfo & { from: string }>): Uint8Array {
    // Outputs are renamed by an Identity so callers choose their names.
    for (const o of outputs) this.nodes.push({ op: 'Identity', inputs: [o.from], outputs: [o.name], attributes: {} });
    const model = new ProtoWriter();
    model.int(1, 8); // ir_version
    model.string(2, 'kyc-face-nets'); // producer_name
    model.message(8, (w) => w.string(1, '').int(2, 17)); // opset_import
    model.message(7, (g) => {
      for (const n of this.nodes) g.message(1, (w) => writeNode(w, n));
      g.string(2, 'main');
      for (const t of this.initializers) g.message(5, (w) => writeTensor(w, t));
      for (const i of inputs) g.message(11, (w) => writeValueInfo(w, i));
      for (const o of outputs) g.message(12, (w) => writeValueInfo(w, o));
    });
    return model.finish();
  }
}

function writeNode(w: ProtoWriter, n: Node): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(4, n.op);
  for (const [name, value] of Object.entries(n.attributes)) w.message(5, (a) => writeAttribute(a, name, value));
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') w.int(3, value).int(20, ATTR_INT);
  else if (typeof value === 'string') w.string(4, value).int(20, ATTR_STRING);
  else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTR_INTS);
  } else if ('float' in value) w.float(2, value.float).int(20, ATTR_FLOAT);
  else {
    for (const v of value.floats) w.float(7, v);
    w.int(20, ATTR_FLOATS);
  }
}

function writeTensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
