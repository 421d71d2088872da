import { z } from 'zod'
import { method } from './define'
import type { CheckpointSummary } from './runs'

/**
 * Models: policies (decoders Nashlab creates and trains), preference models P(y ≻ y′ | x),
 * Bradley–Terry reward models r(x, y), and decoders imported as ONNX files; their lineage (the data
 * and the run that made them), export to plain ONNX, and generation.
 */
export type ModelKind = 'policy' | 'preference' | 'reward' | 'imported'

export const modelName = z
  .string()
  .trim()
  .min(1, 'a model needs a name')
  .max(200, 'a model name is at most 200 characters')
  .refine((s) => !/^\d+$/.test(s), 'a model name cannot be only digits (digits name a model by its id)')

/** A model named by its name, or by its id. */
export const modelRef = z.union([z.number().int().positive(), z.string().trim().min(1, 'name a model')])

export interface ModelLink {
  id: number
  name: string
}

export interface ModelSummary {
  id: number
  name: string
  kind: ModelKind
  description: string
  createdAt: string
  /** One line about the architecture, e.g. "d 128 · 4 layers · 4 heads · context 256 · LayerNorm · GELU · learned positions · tied". */
  architecture: string
  /** Trainable parameters (null for an imported model whose weights were not counted). */
  parameters: number | null
  vocabSize: number | null
  /** The model this one was fine-tuned from. */
  parent: ModelLink | null
  /** The run that made it (its dataset is the run's). */
  run: { id: number; algorithm: string; status: string } | null
  /** The dataset whose text trained its tokenizer, or whose comparisons or examples trained it. */
  dataset: { id: number; name: string } | null
  /** Whether Nashlab can fine-tune it (its own architecture, or an imported graph whose every op has a gradient rule). */
  trainable: boolean
}

/** A checkpoint of a run that made or trained a model. */
export interface ModelCheckpoint extends CheckpointSummary {
  /** A LoRA run's checkpoint holds only rank-`rank` adapters: its model is `base` with them merged in (export merges them). */
  lora?: { rank: number; base: ModelLink }
}

export interface ModelDetail extends ModelSummary {
  /** The resolved model description (architecture, tokenizer, prompt template, files). */
  config: Record<string, unknown>
  /** The model's folder, absolute. */
  folder: string
  /** Checkpoints of runs that trained this model, oldest first. */
  checkpoints: ModelCheckpoint[]
  /** Models fine-tuned from this one. */
  children: ModelLink[]
  /** An imported model's graph inputs and outputs, and the ops no gradient rule covers. */
  graph?: ImportedGraph
}

/** What an imported decoder's graph offers, as read from the ONNX file. */
export interface ImportedGraph {
  inputs: { name: string; type: string; shape: (number | string | null)[] }[]
  outputs: { name: string; type: string; shape: (number | string | null)[] }[]
  layers: number
  /** Key/value heads and head size of the KV cache. */
  kvHeads: number
  headSize: number
  /** Whether the graph takes position_ids (else positions follow from attention_mask inside it). */
  positionIds: boolean
  /** Op types (with their domain when not ai.onnx) that Nashlab's autodiff cannot differentiate. */
  uncoveredOps: string[]
  opCounts: Record<string, number>
  parameters: number
}

/** A prompt template (see native/models/tokenizer/template.ts): how a prompt becomes the text a model continues. */
export const promptTemplate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simple'), text: z.string().min(1), system: z.string().optional(), separator: z.string().optional() }).strict(),
  z.object({ kind: z.literal('chat'), jinja: z.string().min(1), name: z.string().optional(), system: z.string().optional() }).strict(),
])

/** The decoder architecture: gpt.ts's GptConfig (see native/models/config.ts for each field's meaning and range). */
export const decoderArchitecture = z
  .object({
    /** Default: the tokenizer's vocabulary size. */
    vocab: z.number().int().optional(),
    dModel: z.number().int().optional(),
    layers: z.number().int().optional(),
    heads: z.number().int().optional(),
    context: z.number().int().optional(),
    norm: z.enum(['layernorm', 'rmsnorm']).optional(),
    mlp: z.enum(['gelu', 'swiglu']).optional(),
    mlpHidden: z.number().int().optional(),
    positions: z.enum(['learned', 'rotary']).optional(),
    ropeTheta: z.number().optional(),
    tiedEmbeddings: z.boolean().optional(),
    bias: z.boolean().optional(),
    geluApproximation: z.enum(['none', 'tanh']).optional(),
    normEpsilon: z.number().optional(),
    initStd: z.number().optional(),
  })
  .strict()

/** Where a new model's tokenizer comes from. */
export const tokenizerSource = z.union([
  z
    .object({
      /** Train a byte-level BPE on this dataset's prompts and responses. */
      dataset: z.string().min(1),
      /** Entries in its vocabulary (256 bytes + merges + special tokens). */
      vocabSize: z.number().int().min(257).max(65_536).default(512),
    })
    .strict(),
  z.object({ /** A tokenizer.json file. */ file: z.string().min(1) }).strict(),
  /** 256 bytes and <|endoftext|>: no training data needed. */
  z.object({ bytes: z.literal(true) }).strict(),
])

export const createModelInput = z
  .object({
    name: modelName,
    description: z.string().max(10_000).default(''),
    architecture: decoderArchitecture,
    tokenizer: tokenizerSource.default({ bytes: true }),
    template: promptTemplate.optional(),
    /** Seed of the weight initialisation. */
    seed: z.number().int().min(0).default(0),
  })
  .strict()

export interface ExportResult {
  folder: string
  files: string[]
  /** Bytes of model.onnx (and its external data file, when the weights went there). */
  bytes: number
  external: boolean
  inputs: string[]
  outputs: string[]
}

export interface CreatedModel extends ModelSummary {
  tokenizerTraining?: { bytes: number; words: number; merges: number }
}

export const modelMethods = {
  'models.list': method<ModelSummary[]>()(z.object({}).strict(), 'Models with their kind, size and lineage, newest first'),
  'models.show': method<ModelDetail>()(z.object({ model: modelRef }).strict(), 'One model: config, lineage, checkpoints, graph'),
  'models.create': method<CreatedModel>()(createModelInput, 'Create a policy decoder from an architecture, with fresh weights and a tokenizer'),
  'models.import': method<ModelSummary>()(
    z
      .object({
        /** The .onnx file of a decoder with the standard I/O names. */
        path: z.string().min(1),
        /** tokenizer.json; default: tokenizer.json beside the ONNX file. */
        tokenizer: z.string().min(1).optional(),
        /** Default: the ONNX file's folder name. */
        name: modelName.optional(),
        template: promptTemplate.optional(),
      })
      .strict(),
    'Register an ONNX decoder (input_ids, attention_mask, past_key_values.N → logits, present.N) for generation and comparison',
  ),
  'models.export': method<ExportResult>()(
    z
      .object({
        /** Export the weights of this checkpoint (of a run that trained a model) … */
        checkpoint: z.number().int().positive().optional(),
        /** … or a model's own weights. */
        model: modelRef.optional(),
        /** Folder to write model.onnx, tokenizer.json and nashlab-config.json into. */
        out: z.string().min(1),
        /** Weights of at least this many bytes go to model.onnx.data (default: only above 2 GB in all). */
        externalThreshold: z.number().int().min(0).optional(),
      })
      .strict()
      .refine((x) => (x.checkpoint === undefined) !== (x.model === undefined), 'give either a checkpoint or a model'),
    'Write a checkpoint or model as a plain ONNX model with tokenizer.json and its config',
  ),
  'models.delete': method<{ deleted: string }>()(z.object({ model: modelRef }).strict(), 'Delete a model record and its folder (runs and checkpoints stay)'),
}

export type { CheckpointSummary }
