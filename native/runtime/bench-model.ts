/**
 * The device benchmark's model: y = tanh(…tanh(tanh(x @ w) @ w)… @ w), 16 MatMul+Tanh layers on
 * (n, n) float32 inputs x and w, n chosen per run; one run is 16 · 2n³ flop (n = 512: 4.3 GFLOP).
 * These are the bytes of fixtures/matmul-chain.onnx, written by fixtures/make_fixtures.py, inlined so
 * the benchmark needs no file next to the code.
 */
export const benchModel: Uint8Array = Buffer.from(
  'CAgSEG5hc2hsYWItZml4dHVyZXM63wUKEwoBeAoBdxIDbW0wIgZNYXRNdWwKDwoDbW0wEgJoMCIEVGFuaAoUCgJoMAoBdxIDbW0xIgZNYXRNdWwKDwoDbW0xEgJoMSIEVGFuaAoUCgJoMQoBdxIDbW0yIgZNYXRNdWwKDwoDbW0yEgJoMiIEVGFuaAoUCgJoMgoBdxIDbW0zIgZNYXRNdWwKDwoDbW0zEgJoMyIEVGFuaAoUCgJoMwoBdxIDbW00IgZNYXRNdWwKDwoDbW00EgJoNCIEVGFuaAoUCgJoNAoBdxIDbW01IgZNYXRNdWwKDwoDbW01EgJoNSIEVGFuaAoUCgJoNQoBdxIDbW02IgZNYXRNdWwKDwoDbW02EgJoNiIEVGFuaAoUCgJoNgoBdxIDbW03IgZNYXRNdWwKDwoDbW03EgJoNyIEVGFuaAoUCgJoNwoBdxIDbW04IgZNYXRNdWwKDwoDbW04EgJoOCIEVGFuaAoUCgJoOAoBdxIDbW05IgZNYXRNdWwKDwoDbW05EgJoOSIEVGFuaAoVCgJoOQoBdxIEbW0xMCIGTWF0TXVsChEKBG1tMTASA2gxMCIEVGFuaAoWCgNoMTAKAXcSBG1tMTEiBk1hdE11bAoRCgRtbTExEgNoMTEiBFRhbmgKFgoDaDExCgF3EgRtbTEyIgZNYXRNdWwKEQoEbW0xMhIDaDEyIgRUYW5oChYKA2gxMgoBdxIEbW0xMyIGTWF0TXVsChEKBG1tMTMSA2gxMyIEVGFuaAoWCgNoMTMKAXcSBG1tMTQiBk1hdE11bAoRCgRtbTE0EgNoMTQiBFRhbmgKFgoDaDE0CgF3EgRtbTE1IgZNYXRNdWwKDwoEbW0xNRIBeSIEVGFuaBIUbmFzaGxhYl9tYXRtdWxfY2hhaW5aFQoBeBIQCg4IARIKCgMSAW4KAxIBbloVCgF3EhAKDggBEgoKAxIBbgoDEgFuYhUKAXkSEAoOCAESCgoDEgFuCgMSAW5CBAoAEBE=',
  'base64',
)

/** MatMul layers in the benchmark model. */
export const benchLayers = 16
