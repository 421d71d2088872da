import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { NashlabError } from '../api/errors'
import type { createModelInput, ExportResult, ModelCheckpoint, ModelDetail, ModelKind, ModelLink, ModelSummary } from '../api/models'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { datasetTexts } from '../store/examples'
import { ModelRepository, type ModelRow } from '../store/models'
import { RunRepository } from '../store/runs'
import { decoderConfigSchema, describeArchitecture, resolveDecoderConfig, type DecoderConfig } from './config'
import { exportModel, type ExportSource } from './export'
import { exportedWeights, inspectDecoder } from './import'
import { dataPath, storedPath, type ImportedManifest, type ModelManifest, type PolicyManifest, type PreferenceManifest, type TokenizerInfo } from './manifest'
import { openTokenizer, policyWeights } from './open'
import type { PreferenceConfig } from './preference-config'
import { preferenceWeightSpecs } from './preference'
import { loadTokenizer, saveTokenizer } from './tokenizer/files'
import { chatTemplateOf, plainTemplate, type PromptTemplate } from './tokenizer/template'
import type { Tokenizer } from './tokenizer/tokenizer'
import { trainByteLevelBpe } from './tokenizer/train'
import { initWeights, parameterCount, weightShapes, weightSpecs, type Weights } from './weights'
import { readWeights, writeWeights } from './weights-file'
import { mergeLoraCheckpoint } from '../train/sft'

/** What training a tokenizer reports: the bytes and words of text it read, and the merges it learned. */
export interface TokenizerTraining {
  bytes: number
  words: number
  merges: number
}

/** Trains a byte-level BPE on `texts` and writes its files into `folder`. */
export type TokenizerTrainer = (request: { texts: string[]; vocabSize: number; folder: string }) => Promise<TokenizerTraining>

/** Train on this thread (for callers without a job manager). */
async function trainTokenizerHere(request: { texts: string[]; vocabSize: number; folder: string }): Promise<TokenizerTraining> {
  const result = trainByteLevelBpe(request.texts, { vocabSize: request.vocabSize })
  saveTokenizer(request.folder, result.tokenizer)
  return { bytes: result.bytes, words: result.words, merges: result.merges }
}

/** The prompt template of models created here: the prompt, a newline, then the completion. */
export const defaultTemplate: PromptTemplate = { kind: 'simple', text: '{prompt}', separator: '\n' }

/**
 * The models Nashlab knows: their rows (native/store/models.ts), folders and manifests. Creating,
 * importing, registering what a run trained, exporting and deleting all go through here; the
 * models service (contract handlers) and the training service use it.
 */
export class ModelCatalog {
  readonly repo: ModelRepository
  private readonly runs: RunRepository
  private readonly datasets: DatasetRepository

  constructor(
    private readonly db: Db,
    readonly dataDir: string,
  ) {
    this.repo = new ModelRepository(db)
    this.runs = new RunRepository(db)
    this.datasets = new DatasetRepository(db)
  }

  /** The folder of a model's files. */
  folder(id: number): string {
    return path.join(this.dataDir, 'models', String(id))
  }

  manifest(row: ModelRow): ModelManifest {
    const m = row.config as unknown as ModelManifest
    if (m?.format !== 'nashlab-model') throw new NashlabError('bad_file', `Model "${row.name}" has no Nashlab manifest in the database; it was not registered by this version.`, { model: row.name })
    return m
  }

  get(ref: number | string): { row: ModelRow; manifest: ModelManifest } {
    const row = this.repo.get(ref)
    return { row, manifest: this.manifest(row) }
  }

  summary(row: ModelRow): ModelSummary {
    const m = this.manifest(row)
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      description: row.description,
      createdAt: row.createdAt,
      architecture: architectureLine(m),
      parameters: parametersOf(m),
      vocabSize: m.tokenizer.vocabSize,
      parent: row.parentId !== null && row.parentName !== null ? { id: row.parentId, name: row.parentName } : null,
      run: row.runId !== null ? { id: row.runId, algorithm: row.runAlgorithm ?? '', status: row.runStatus ?? '' } : null,
      dataset: row.datasetId !== null && row.datasetName !== null ? { id: row.datasetId, name: row.datasetName } : null,
      trainable: m.kind === 'policy' || (m.kind === 'imported' && ((m.architecture !== undefined && m.weights !== undefined) || m.graph.uncoveredOps.length === 0)),
    }
  }

  list(): ModelSummary[] {
    return this.repo.list().map((r) => this.summary(r))
  }

  detail(ref: number | string): ModelDetail {
    const row = this.repo.get(ref)
    const m = this.manifest(row)
    // The checkpoints of the run that made it (its weights are one of them), then of runs that trained it.
    const trainedBy = this.db.prepare('SELECT id FROM runs WHERE model_id = ? ORDER BY id').pluck().all(row.id) as number[]
    const runs = [...new Set([...(row.runId !== null ? [row.runId] : []), ...trainedBy])]
    const checkpoints: ModelCheckpoint[] = runs.flatMap((run) => {
      const lora = this.loraRun(run)
      return this.runs.checkpoints(run).map((c) => (lora ? { ...c, lora: { rank: lora.rank, base: lora.base } } : c))
    })
    return {
      ...this.summary(row),
      config: m as unknown as Record<string, unknown>,
      folder: this.folder(row.id),
      checkpoints,
      children: this.repo.children(row.id),
      ...(m.kind === 'imported' ? { graph: m.graph } : {}),
    }
  }

  /**
   * Create a policy from an architecture: a tokenizer (trained on a dataset, read from a file, or
   * bytes) and fresh weights. Training the tokenizer goes through `trainTokenizer` (the models
   * service runs it as a job in a worker); by default it runs here. It trains into a staging folder
   * before the model's row exists, so lists never show a half-made model.
   */
  async create(input: z.output<typeof createModelInput>, options: { trainTokenizer?: TokenizerTrainer } = {}): Promise<ModelSummary & { tokenizerTraining?: TokenizerTraining }> {
    let datasetId: number | null = null
    let training: TokenizerTraining | undefined
    let staged: string | undefined
    if ('dataset' in input.tokenizer) {
      datasetId = this.datasets.get(input.tokenizer.dataset).id
      if (this.repo.find(input.name)) throw new NashlabError('conflict', `A model named "${input.name}" already exists.`, { model: input.name })
      fs.mkdirSync(path.join(this.dataDir, 'models'), { recursive: true })
      staged = fs.mkdtempSync(path.join(this.dataDir, 'models', '.tokenizer-'))
      try {
        const train = options.trainTokenizer ?? trainTokenizerHere
        training = await train({ texts: [...datasetTexts(this.db, datasetId)], vocabSize: input.tokenizer.vocabSize, folder: staged })
      } catch (error) {
        fs.rmSync(staged, { recursive: true, force: true })
        throw error
      }
    }
    let id: number
    try {
      id = this.repo.create({ name: input.name, kind: 'policy', description: input.description, config: {}, datasetId })
    } catch (error) {
      if (staged) fs.rmSync(staged, { recursive: true, force: true })
      throw error
    }
    const folder = this.folder(id)
    try {
      let tokenizer: Tokenizer
      let trainedOn: string | undefined
      if (staged) {
        fs.mkdirSync(folder, { recursive: true })
        for (const file of fs.readdirSync(staged)) fs.renameSync(path.join(staged, file), path.join(folder, file))
        fs.rmSync(staged, { recursive: true, force: true })
        tokenizer = loadTokenizer(folder).tokenizer
        trainedOn = (input.tokenizer as { dataset: string }).dataset
      } else if ('file' in input.tokenizer) {
        tokenizer = copyTokenizer(input.tokenizer.file, folder)
      } else {
        const result = trainByteLevelBpe([], { vocabSize: 257 })
        saveTokenizer(folder, result.tokenizer)
        tokenizer = result.tokenizer
      }
      const architecture = architectureFor(input.architecture, tokenizer)
      const weights = initWeights(architecture, input.seed)
      const weightsFolder = writeWeights(path.join(folder, 'weights'), weights, weightShapes(weightSpecs(architecture)))
      const manifest: PolicyManifest = {
        format: 'nashlab-model',
        version: 1,
        kind: 'policy',
        architecture,
        tokenizer: this.tokenizerInfo(folder, tokenizer, trainedOn),
        template: input.template ?? defaultTemplate,
        weights: storedPath(this.dataDir, weightsFolder),
        seed: input.seed,
      }
      this.repo.update(id, { file: storedPath(this.dataDir, folder), config: manifest as unknown as Record<string, unknown> })
      return { ...this.summary(this.repo.get(id)), ...(training ? { tokenizerTraining: training } : {}) }
    } catch (error) {
      this.discard(id)
      throw error
    }
  }

  /** Register an ONNX decoder with the standard I/O names (a Nashlab export is rebuilt natively). */
  async importDecoder(input: { path: string; tokenizer?: string; name?: string; template?: PromptTemplate }): Promise<ModelSummary> {
    const onnx = path.resolve(input.path)
    const inspected = await inspectDecoder(onnx)
    const tokenizerFile = path.resolve(input.tokenizer ?? path.join(path.dirname(onnx), 'tokenizer.json'))
    if (!fs.existsSync(tokenizerFile)) {
      throw new NashlabError('not_found', `There is no tokenizer.json beside ${onnx}; give one with --tokenizer.`, { file: tokenizerFile })
    }
    const name = this.repo.freeName(input.name ?? (path.basename(path.dirname(onnx)) || path.basename(onnx, '.onnx')))
    const id = this.repo.create({ name, kind: 'imported', config: {} })
    const folder = this.folder(id)
    try {
      const tokenizer = copyTokenizer(tokenizerFile, folder)
      // The tokenizer_config.json's chat template, when it has one, renders prompts as the model was tuned to read them.
      const chat = chatTemplateOf(loadTokenizer(folder).tokenizerConfig)
      const template = input.template ?? (inspected.nashlab?.template as PromptTemplate | undefined) ?? chat ?? plainTemplate
      const manifest: ImportedManifest = {
        format: 'nashlab-model',
        version: 1,
        kind: 'imported',
        onnx,
        io: { ...inspected.io, vocabSize: inspected.io.vocabSize || tokenizer.vocabSize },
        graph: inspected.graph,
        tokenizer: this.tokenizerInfo(folder, tokenizer),
        template,
      }
      const architecture = inspected.nashlab?.kind === 'policy' ? inspected.nashlab.architecture : undefined
      if (architecture) {
        const weights = exportedWeights(inspected.model, architecture)
        manifest.architecture = architecture
        manifest.weights = storedPath(this.dataDir, writeWeights(path.join(folder, 'weights'), weights, weightShapes(weightSpecs(architecture))))
      }
      if (tokenizer.vocabSize > manifest.io.vocabSize && manifest.io.vocabSize > 0) {
        throw new NashlabError('bad_file', `The tokenizer has ${tokenizer.vocabSize} tokens but the model's logits have ${manifest.io.vocabSize}; they do not belong together.`, { file: tokenizerFile })
      }
      this.repo.update(id, { file: storedPath(this.dataDir, folder), config: manifest as unknown as Record<string, unknown> })
      return this.summary(this.repo.get(id))
    } catch (error) {
      this.discard(id)
      throw error
    }
  }

  /** Register the model a run trained: weights in the run's final checkpoint, tokenizer copied from the base. */
  registerTrained(input: {
    name: string
    kind: Extract<ModelKind, 'policy' | 'preference' | 'reward'>
    base?: ModelRow
    /** Its tokenizer folder (the base model's, or the run's own). */
    tokenizerFolder: string
    /** The dataset a run's own tokenizer was trained on. */
    tokenizerTrainedOn?: string
    template: PromptTemplate
    run: number
    checkpoint: { id: number; folder: string }
    architecture?: DecoderConfig
    preference?: PreferenceConfig
    evaluation?: PreferenceManifest['evaluation']
    description?: string
    /** Where its weights are when not in the checkpoint (LoRA adapters merged into the base). */
    weightsFolder?: string
  }): ModelSummary {
    const id = this.repo.create({ name: this.repo.freeName(input.name), kind: input.kind, description: input.description ?? '', config: {}, parentId: input.base?.id ?? null, runId: input.run, checkpointId: input.checkpoint.id })
    const folder = this.folder(id)
    try {
      const tokenizer = copyTokenizer(path.join(input.tokenizerFolder, 'tokenizer.json'), folder)
      const trainedOn = input.base ? this.manifest(input.base).tokenizer.trainedOn : input.tokenizerTrainedOn
      const common = { format: 'nashlab-model' as const, version: 1 as const, tokenizer: this.tokenizerInfo(folder, tokenizer, trainedOn), template: input.template }
      const weights = storedPath(this.dataDir, input.weightsFolder ?? input.checkpoint.folder)
      const manifest: ModelManifest =
        input.kind === 'policy'
          ? { ...common, kind: 'policy', architecture: input.architecture!, weights }
          : { ...common, kind: input.kind, preference: input.preference!, weights, ...(input.evaluation ? { evaluation: input.evaluation } : {}) }
      this.repo.update(id, { file: storedPath(this.dataDir, folder), config: manifest as unknown as Record<string, unknown> })
      return this.summary(this.repo.get(id))
    } catch (error) {
      this.discard(id)
      throw error
    }
  }

  /** Register an imported decoder a run fine-tuned: its trained ONNX file, the base's tokenizer and template. */
  async registerTrainedGraph(input: { name: string; base: ModelRow; onnx: string; tokenizerFolder: string; template: PromptTemplate; run: number; checkpoint: { id: number }; description?: string }): Promise<ModelSummary> {
    const inspected = await inspectDecoder(input.onnx)
    const base = this.manifest(input.base) as ImportedManifest
    const id = this.repo.create({ name: this.repo.freeName(input.name), kind: 'imported', description: input.description ?? '', config: {}, parentId: input.base.id, runId: input.run, checkpointId: input.checkpoint.id })
    const folder = this.folder(id)
    try {
      const tokenizer = copyTokenizer(path.join(input.tokenizerFolder, 'tokenizer.json'), folder)
      const manifest: ImportedManifest = {
        format: 'nashlab-model',
        version: 1,
        kind: 'imported',
        onnx: input.onnx,
        io: { ...inspected.io, vocabSize: inspected.io.vocabSize || tokenizer.vocabSize, context: inspected.io.context ?? base.io.context },
        graph: inspected.graph,
        tokenizer: this.tokenizerInfo(folder, tokenizer),
        template: input.template,
      }
      this.repo.update(id, { file: storedPath(this.dataDir, folder), config: manifest as unknown as Record<string, unknown> })
      return this.summary(this.repo.get(id))
    } catch (error) {
      this.discard(id)
      throw error
    }
  }

  /** Write a model's or a checkpoint's weights as a plain ONNX export. */
  async export(input: { checkpoint?: number; model?: number | string; out: string; externalThreshold?: number }): Promise<ExportResult> {
    let row: ModelRow
    let weightsFolder: string | undefined
    let merged: Weights | undefined
    let lineage: Record<string, unknown>
    if (input.checkpoint !== undefined) {
      const checkpoint = this.db.prepare('SELECT c.id, c.run_id AS run, c.step, c.path, r.model_id AS model FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE c.id = ?').get(input.checkpoint) as
        | { id: number; run: number; step: number; path: string; model: number | null }
        | undefined
      if (!checkpoint) throw new NashlabError('not_found', `There is no checkpoint ${input.checkpoint}.`, { checkpoint: input.checkpoint })
      // The model whose architecture the checkpoint has: the one the run produced, else the one it trained.
      const produced = this.db.prepare('SELECT id FROM models WHERE run_id = ? ORDER BY id LIMIT 1').pluck().get(checkpoint.run) as number | undefined
      const modelId = produced ?? checkpoint.model
      if (modelId === null || modelId === undefined) throw new NashlabError('not_found', `Checkpoint ${input.checkpoint} belongs to run ${checkpoint.run}, which names no model.`, { checkpoint: input.checkpoint })
      row = this.repo.get(modelId)
      weightsFolder = dataPath(this.dataDir, checkpoint.path)
      lineage = { model: row.name, run: checkpoint.run, checkpoint: checkpoint.id, step: checkpoint.step }
      const lora = this.loraRun(checkpoint.run)
      if (lora) {
        // The checkpoint holds adapters only: its model is the run's base with them merged in.
        const base = this.get(lora.base.id)
        if (base.manifest.kind !== 'policy' && base.manifest.kind !== 'imported') throw new NashlabError('internal', `The base of LoRA run ${checkpoint.run} is a ${base.manifest.kind} model.`)
        const architecture = base.manifest.architecture
        if (!architecture) {
          throw new NashlabError('invalid_input', `Checkpoint ${checkpoint.id} holds LoRA adapters of the imported graph ${base.row.name}; export the model run ${checkpoint.run} produced instead.`, { checkpoint: checkpoint.id })
        }
        merged = mergeLoraCheckpoint(architecture, policyWeights(base.manifest, this.dataDir), readWeights(weightsFolder), lora.rank)
        lineage = { ...lineage, model: base.row.name, adapter: { kind: 'lora', rank: lora.rank, base: base.row.name } }
        row = base.row
      }
    } else {
      row = this.repo.get(input.model!)
      lineage = { model: row.name, ...(row.runId ? { run: row.runId } : {}), ...(row.parentName ? { parent: row.parentName } : {}) }
    }
    const m = this.manifest(row)
    if (m.kind === 'imported' && !m.weights) {
      throw new NashlabError('invalid_input', `Model "${row.name}" is an imported ONNX file (${m.onnx}); it is already an export, so copy that file instead.`, { model: row.name })
    }
    const tokenizer = openTokenizer(m.tokenizer, this.dataDir)
    const tokenizerFolder = path.dirname(dataPath(this.dataDir, m.tokenizer.file))
    let source: ExportSource
    if (m.kind === 'policy' || m.kind === 'imported') {
      const weights = merged ?? policyWeights(m, this.dataDir, weightsFolder)
      source = { kind: 'policy', name: row.name, architecture: m.architecture!, weights, tokenizer, tokenizerFolder, template: m.template, lineage }
    } else {
      const weights = readWeights(dataPath(this.dataDir, weightsFolder ?? m.weights))
      checkPreferenceWeights(m.preference, weights)
      source = { kind: m.kind, name: row.name, preference: m.preference, weights, tokenizer, tokenizerFolder, template: m.template, lineage }
    }
    return exportModel(source, path.resolve(input.out), { externalThreshold: input.externalThreshold })
  }

  /** A LoRA SFT run's rank and base model (its checkpoints hold adapters only); undefined for other runs. */
  private loraRun(run: number): { rank: number; base: ModelLink } | undefined {
    const config = this.runs.get(run).config as { algorithm?: string; adapter?: string; loraRank?: number; model?: ModelLink }
    if (config.adapter !== 'lora' || !config.model || typeof config.loraRank !== 'number') return undefined
    return { rank: config.loraRank, base: { id: config.model.id, name: config.model.name } }
  }

  /** Delete a model's row and folder (checkpoints of runs stay with their runs). */
  delete(ref: number | string): { deleted: string } {
    const row = this.repo.get(ref)
    this.discard(row.id)
    return { deleted: row.name }
  }

  private discard(id: number): void {
    this.repo.delete(id)
    fs.rmSync(this.folder(id), { recursive: true, force: true })
  }

  private tokenizerInfo(folder: string, tokenizer: Tokenizer, trainedOn?: string): TokenizerInfo {
    return {
      file: storedPath(this.dataDir, path.join(folder, 'tokenizer.json')),
      vocabSize: tokenizer.vocabSize,
      eosId: tokenizer.eosId,
      padId: tokenizer.padId,
      backend: loadTokenizer(folder).backend,
      ...(trainedOn ? { trainedOn } : {}),
    }
  }
}

/** An architecture with the tokenizer's vocabulary filled in, checked. */
export function architectureFor(input: Record<string, unknown>, tokenizer: Tokenizer): DecoderConfig {
  const vocab = (input.vocab as number | undefined) ?? tokenizer.vocabSize
  if (vocab < tokenizer.vocabSize) {
    throw new NashlabError('invalid_input', `The architecture's vocabulary (${vocab}) is smaller than the tokenizer's (${tokenizer.vocabSize} tokens).`, { field: 'vocab' })
  }
  const parsed = decoderConfigSchema.safeParse({ ...input, vocab })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new NashlabError('invalid_input', `Invalid architecture: field "${issue.path.join('.')}": ${issue.message}.`, { field: issue.path.join('.') })
  }
  return resolveDecoderConfig({ ...input, vocab } as never)
}

/** Copy tokenizer.json (and tokenizer_config.json / generation_config.json beside it) into a model folder; returns the loaded tokenizer. */
function copyTokenizer(file: string, folder: string): Tokenizer {
  if (!fs.existsSync(file)) throw new NashlabError('not_found', `There is no tokenizer file ${file}.`, { file })
  const tokenizer = loadTokenizer(path.dirname(file)).tokenizer
  fs.mkdirSync(folder, { recursive: true })
  fs.copyFileSync(file, path.join(folder, 'tokenizer.json'))
  for (const extra of ['tokenizer_config.json', 'generation_config.json']) {
    const from = path.join(path.dirname(file), extra)
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(folder, extra))
  }
  return tokenizer
}

function checkPreferenceWeights(p: PreferenceConfig, weights: Weights): void {
  for (const spec of preferenceWeightSpecs(p)) if (!weights.has(spec.name)) throw new NashlabError('bad_file', `The preference model's weights lack "${spec.name}".`)
}

function architectureLine(m: ModelManifest): string {
  if (m.kind === 'policy') return describeArchitecture(m.architecture)
  if (m.kind === 'imported') {
    if (m.architecture) return `${describeArchitecture(m.architecture)} (ONNX)`
    return `ONNX decoder · ${m.io.layers} layers · ${m.io.kvHeads} KV heads of ${m.io.headSize}${m.graph.uncoveredOps.length ? ` · not trainable: ${m.graph.uncoveredOps.join(', ')}` : ''}`
  }
  return `${m.preference.kind === 'pairwise' ? 'pairwise' : 'Bradley–Terry'} · ${describeArchitecture(m.preference.trunk).replace(/ · (tied|untied)$/, '')}`
}

function parametersOf(m: ModelManifest): number | null {
  if (m.kind === 'policy') return parameterCount(m.architecture)
  if (m.kind === 'imported') return m.graph.parameters
  return parameterCount(m.preference.trunk) + m.preference.trunk.dModel
}
