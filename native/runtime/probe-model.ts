/**
 * The device probe's model: y = a + b on float32 vectors of any length (opset 17, IR 8), 117 bytes.
 * These are the bytes of fixtures/add.onnx, written by fixtures/make_fixtures.py; they are inlined so
 * the probe needs no file next to the code.
 */
export const probeModel: Uint8Array = Buffer.from(
  'CAgSEG5hc2hsYWItZml4dHVyZXM6WQoOCgFhCgFiEgF5IgNBZGQSEW5hc2hsYWJfcHJvYmVfYWRkWhAKAWESCwoJCAESBQoDEgFuWhAKAWISCwoJCAESBQoDEgFuYhAKAXkSCwoJCAESBQoDEgFuQgQKABAR',
  'base64',
)
