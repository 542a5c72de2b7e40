/**
 * Jest environment for suites that run onnxruntime-node (the local OCR models).
 *
 * Jest evaluates modules in a separate realm with its own typed-array constructors, while onnxruntime's native
 * binding returns arrays from Node's main realm; onnxruntime-common then rejects them ("A float32 tensor's data
 * must be type of function Float32Array()"). Sharing the main realm's typed-array constructors fixes that.
 * Only tests need this; the product runs in one realm. Use with the docblock
 * `@jest-environment ./test/checks/onnx-environment.js`.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
