import { GraphBuilder, type Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Model } from '../onnx/model'
import { constantWeights, decoderTrunk, declareDecoderInputs, dimNames, type DecoderInputs, type WeightSource } from './decoder'
import type { PreferenceConfig, PreferenceKind } from './preference-config'
import { MODEL_OPSET } from './programs'
import { encodeCompletion, encodePrompt, type PromptTemplate } from './tokenizer/template'
import type { Tokenizer } from './tokenizer/tokenizer'
import { initWeights, weightSpecs, type WeightSpec, type Weights } from './weights'

/**
 * Graphs and inputs of the preference model and the Bradley–Terry reward model (see
 * preference-config.ts for the definitions).
 *
 * Both are written as a pair program: `input_ids` rows (the first sequence of each pair) and
 * `swapped_input_ids` rows (the second), each with its attention_mask and position_ids, left-padded
 * to one width; the trunk scores all 2B rows at once and
 *   logit = score(first) − score(second),  probability = σ(logit).
 * For the pairwise model the rows are (x, y, y′) and (x, y′, y); for Bradley–Terry (x, y) and (x, y′).
 * The score of a row is the head applied to the trunk's last position (the last real token, as rows
 * are left-padded).
 */
export function preferenceWeightSpecs(p: PreferenceConfig): WeightSpec[] {
  return [...weightSpecs(p.trunk), { name: 'score.weight', shape: [p.trunk.dModel, 1], decay: true }]
}

/** Score of each row: the last position's state · score.weight, (N). */
export function rowScores(b: GraphBuilder, p: PreferenceConfig, w: WeightSource, inputs: DecoderInputs): Value {
  const { hidden } = decoderTrunk(b, p.trunk, w, inputs, { lastPosition: true }) // (N, 1, D)
  return b.scope('score', () => {
    const last = b.slice(hidden, [-1], [2 ** 62], [1], undefined, 'last') // (N, 1, D)
    return b.reshape(b.matMul(last, w('score.weight'), 'head'), [-1], 'score') // (N)
  })
}

export interface PairInputs {
  first: DecoderInputs
  second: DecoderInputs
}

/** Declare the pair inputs: input_ids … and swapped_input_ids …, all (batch, sequence). */
export function declarePairInputs(b: GraphBuilder, p: PreferenceConfig, batch: number | string, sequence: number | string): PairInputs {
  const first = declareDecoderInputs(b, p.trunk, { batch, sequence })
  const second: DecoderInputs = {
    inputIds: b.input('swapped_input_ids', DataType.int64, [batch, sequence]),
    attentionMask: b.input('swapped_attention_mask', DataType.int64, [batch, sequence]),
    positionIds: b.input('swapped_position_ids', DataType.int64, [batch, sequence]),
  }
  return { first, second }
}

/** logit = score(first) − score(second), (B): the trunk runs once over the 2B rows. */
export function pairLogit(b: GraphBuilder, p: PreferenceConfig, w: WeightSource, pair: PairInputs): Value {
  const joined: DecoderInputs = {
    inputIds: b.concat([pair.first.inputIds, pair.second.inputIds], 0, 'pair.input_ids'),
    attentionMask: b.concat([pair.first.attentionMask, pair.second.attentionMask], 0, 'pair.attention_mask'),
    positionIds: b.concat([pair.first.positionIds, pair.second.positionIds], 0, 'pair.position_ids'),
  }
  const scores = rowScores(b, p, w, joined) // (2B)
  return b.scope('pair', () => {
    const half = b.div(b.shape(scores), b.ints([2]), 'half') // (1)
    const first = b.op('Slice', [scores, b.ints([0]), half, b.ints([0])], {}, 'first')
    const second = b.op('Slice', [scores, half, b.ints([2 ** 62]), b.ints([0])], {}, 'second')
    return b.sub(first, second, 'logit')
  })
}

/** The inference program: pair inputs → `probability` and `logit`, (batch). Weights inside. */
export function preferenceProgram(p: PreferenceConfig, weights: Weights): Model {
  const b = GraphBuilder.create(p.kind === 'pairwise' ? 'nashlab_preference' : 'nashlab_reward_pair', MODEL_OPSET)
  const pair = declarePairInputs(b, p, dimNames.batch, dimNames.sequence)
  const w = constantWeights(b, p.trunk, weights)
  b.initializer('score.weight', DataType.float, [p.trunk.dModel, 1], weights.get('score.weight')!)
  const logit = pairLogit(b, p, w, pair)
  b.output(b.sigmoid(logit, 'probability'), 'probability')
  b.output(logit, 'logit')
  return b.toModel()
}

/** The Bradley–Terry reward alone: input_ids, attention_mask, position_ids of (x, y) rows → `reward` (batch). */
export function rewardProgram(p: PreferenceConfig, weights: Weights): Model {
  const b = GraphBuilder.create('nashlab_reward', MODEL_OPSET)
  const inputs = declareDecoderInputs(b, p.trunk, { batch: dimNames.batch, sequence: dimNames.sequence })
  const w = constantWeights(b, p.trunk, weights)
  b.initializer('score.weight', DataType.float, [p.trunk.dModel, 1], weights.get('score.weight')!)
  b.output(rowScores(b, p, w, inputs), 'reward')
  return b.toModel()
}

/** One judged pair as token ids: the two sequences the pair program compares. */
export interface PairSequences {
  first: number[]
  second: number[]
}

/**
 * The sequences of a pair. Pairwise: `x EOS y EOS y′ EOS` and `x EOS y′ EOS y EOS`; Bradley–Terry:
 * `x EOS y EOS` and `x EOS y′ EOS`. Over the context, the prompt keeps its last tokens (at most half
 * the context) and each response its first tokens, sharing what is left equally (`fitPair`).
 */
export function pairSequences(kind: PreferenceKind, tokenizer: Tokenizer, template: PromptTemplate, context: number, prompt: string, a: string, b: string): PairSequences {
  return fitPair(kind, context, tokenizer.eosId, encodePrompt(tokenizer, template, prompt), encodeCompletion(tokenizer, a, false), encodeCompletion(tokenizer, b, false))
}

/** `pairSequences` from ids: prompt x and responses a, b (without EOS), fitted to `context` tokens. */
export function fitPair(kind: PreferenceKind, context: number, eos: number, x: readonly number[], a: readonly number[], b: readonly number[]): PairSequences {
  const separators = kind === 'pairwise' ? 3 : 2
  const responses = kind === 'pairwise' ? 2 : 1
  const prompt = x.length > Math.floor(context / 2) ? x.slice(x.length - Math.floor(context / 2)) : x
  const budget = Math.max(0, Math.floor((context - prompt.length - separators) / responses))
  const ta = a.slice(0, budget)
  const tb = b.slice(0, budget)
  if (kind === 'pairwise') return { first: [...prompt, eos, ...ta, eos, ...tb, eos], second: [...prompt, eos, ...tb, eos, ...ta, eos] }
  return { first: [...prompt, eos, ...ta, eos], second: [...prompt, eos, ...tb, eos] }
}

/** Fresh weights: the trunk from `seed`, the score head zero (P = ½ for every pair until trained). */
export function initPreferenceWeights(p: PreferenceConfig, seed: number): Weights {
  const weights = initWeights(p.trunk, seed)
  weights.set('score.weight', new Float32Array(p.trunk.dModel))
  return weights
}
