import path from 'node:path'
import type { PlayerChoice } from '../api/compare'
import { NashlabError } from '../api/errors'
import { dataPath, type ImportedManifest, type ModelManifest, type PolicyManifest, type PreferenceManifest } from '../models/manifest'
import type { Db } from '../store/db'
import { ModelRepository, type ModelRow } from '../store/models'

/**
 * What a worker needs to run a player (a policy, an imported decoder, or a checkpoint of a run):
 * plain data with absolute paths, so it crosses to a worker thread. Resolved on the engine's
 * thread from the database; loaded in the worker by `loadPolicy` (load.ts).
 */
export interface PolicySpec {
  /** Canonical reference: `model:<id>` or `checkpoint:<id>`. */
  ref: string
  label: string
  modelId: number
  checkpointId: number | null
  manifest: PolicyManifest | ImportedManifest
  /** Folder holding tokenizer.json. */
  tokenizerDir: string
  /** Folder of the weights checkpoint (Nashlab policies and checkpoints). */
  weights: string | null
  /** The ONNX file (imported decoders). */
  onnx: string | null
}

/** A preference or reward model, resolved for a worker. */
export interface PreferenceSpec {
  ref: string
  label: string
  modelId: number
  manifest: PreferenceManifest
  tokenizerDir: string
  weights: string
}

interface CheckpointRow {
  id: number
  run_id: number
  step: number
  path: string
  run_model: number | null
}

function manifestOf(model: ModelRow): ModelManifest {
  const config = model.config as Partial<ModelManifest>
  if (config.format !== 'nashlab-model') {
    throw new NashlabError('invalid_input', `Model "${model.name}" has no Nashlab model description (its config is not a nashlab-model manifest), so it cannot be run.`, {
      model: model.id,
    })
  }
  return config as ModelManifest
}

function tokenizerDir(dataDir: string, manifest: ModelManifest): string {
  return path.dirname(dataPath(dataDir, manifest.tokenizer.file))
}

/** Players and judges by reference, from the models table and the runs' checkpoints. */
export class PlayerResolver {
  private readonly models: ModelRepository

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {
    this.models = new ModelRepository(db)
  }

  /** `model:<id>`, `checkpoint:<id>`, or a model's name or id → what a worker loads. */
  policy(ref: string): PolicySpec {
    const checkpoint = /^checkpoint:(\d+)$/.exec(ref)
    if (checkpoint) return this.checkpointPolicy(Number(checkpoint[1]))
    const model = this.model(ref)
    const manifest = manifestOf(model)
    if (manifest.kind !== 'policy' && manifest.kind !== 'imported') {
      throw new NashlabError('invalid_input', `Model "${model.name}" is a ${manifest.kind} model; only policies and imported decoders generate responses.`, { model: model.id })
    }
    return {
      ref: `model:${model.id}`,
      label: model.name,
      modelId: model.id,
      checkpointId: null,
      manifest,
      tokenizerDir: tokenizerDir(this.dataDir, manifest),
      weights: manifest.kind === 'policy' ? dataPath(this.dataDir, manifest.weights) : null,
      onnx: manifest.kind === 'imported' ? dataPath(this.dataDir, manifest.onnx) : null,
    }
  }

  /** A preference or reward model by `model:<id>`, name or id (a judge's `pref:<model>`). */
  preference(ref: string): PreferenceSpec {
    const model = this.model(ref)
    const manifest = manifestOf(model)
    if (manifest.kind !== 'preference' && manifest.kind !== 'reward') {
      throw new NashlabError('invalid_input', `Model "${model.name}" is a ${manifest.kind} model, not a preference or reward model; it cannot judge pairs.`, { model: model.id })
    }
    return {
      ref: `model:${model.id}`,
      label: model.name,
      modelId: model.id,
      manifest,
      tokenizerDir: tokenizerDir(this.dataDir, manifest),
      weights: dataPath(this.dataDir, manifest.weights),
    }
  }

  /** Everything that can play or judge, for pickers: models newest first, each policy followed by its runs' checkpoints. */
  choices(): { players: PlayerChoice[]; preferences: PlayerChoice[] } {
    const players: PlayerChoice[] = []
    const preferences: PlayerChoice[] = []
    for (const model of this.models.list()) {
      if ((model.config as Partial<ModelManifest>).format !== 'nashlab-model') continue
      const manifest = model.config as unknown as ModelManifest
      const base = { kind: 'model' as const, model: { id: model.id, name: model.name, kind: model.kind }, checkpoint: null }
      if (manifest.kind === 'preference' || manifest.kind === 'reward') {
        preferences.push({ ...base, ref: `model:${model.id}`, label: model.name, detail: describe(manifest) })
        continue
      }
      players.push({ ...base, ref: `model:${model.id}`, label: model.name, detail: describe(manifest) })
      if (manifest.kind !== 'policy') continue
      const checkpoints = this.db
        .prepare(
          `SELECT c.id, c.run_id, c.step, r.algorithm FROM checkpoints c JOIN runs r ON r.id = c.run_id
            WHERE r.model_id = ? ORDER BY c.run_id, c.step`,
        )
        .all(model.id) as { id: number; run_id: number; step: number; algorithm: string }[]
      for (const c of checkpoints) {
        players.push({
          ...base,
          kind: 'checkpoint',
          ref: `checkpoint:${c.id}`,
          label: `${model.name} @ step ${c.step}`,
          checkpoint: { id: c.id, run: c.run_id, step: c.step },
          detail: `run ${c.run_id} (${c.algorithm}), step ${c.step}`,
        })
      }
    }
    return { players, preferences }
  }

  private model(ref: string): ModelRow {
    const id = /^model:(\d+)$/.exec(ref)
    return this.models.get(id ? Number(id[1]) : ref)
  }

  /** A checkpoint of a run that trained a policy: the policy's architecture and tokenizer, the checkpoint's weights. */
  private checkpointPolicy(id: number): PolicySpec {
    const row = this.db
      .prepare('SELECT c.id, c.run_id, c.step, c.path, r.model_id AS run_model FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE c.id = ?')
      .get(id) as CheckpointRow | undefined
    if (!row) throw new NashlabError('not_found', `There is no checkpoint ${id}.`, { checkpoint: id })
    if (row.run_model === null) {
      throw new NashlabError('invalid_input', `Checkpoint ${id} belongs to run ${row.run_id}, which names no model; its architecture and tokenizer are unknown.`, { checkpoint: id })
    }
    const model = this.models.get(row.run_model)
    const manifest = manifestOf(model)
    if (manifest.kind !== 'policy') {
      throw new NashlabError('invalid_input', `Checkpoint ${id} belongs to a run of model "${model.name}", a ${manifest.kind} model; only policy checkpoints generate responses.`, {
        checkpoint: id,
      })
    }
    return {
      ref: `checkpoint:${id}`,
      label: `${model.name} @ step ${row.step}`,
      modelId: model.id,
      checkpointId: id,
      manifest,
      tokenizerDir: tokenizerDir(this.dataDir, manifest),
      weights: dataPath(this.dataDir, row.path),
      onnx: null,
    }
  }
}

function describe(m: ModelManifest): string {
  if (m.kind === 'policy') {
    const a = m.architecture
    return `policy · d ${a.dModel} · ${a.layers} ${a.layers === 1 ? 'layer' : 'layers'} · ${a.heads} heads · vocab ${a.vocab}`
  }
  if (m.kind === 'imported') return `imported decoder · ${m.graph.layers} layers · vocab ${m.io.vocabSize}`
  if (m.kind === 'preference' || m.kind === 'reward') {
    const t = m.preference.trunk
    return `${m.preference.kind === 'bt' ? 'Bradley–Terry reward' : 'pairwise preference'} · d ${t.dModel} · ${t.layers} ${t.layers === 1 ? 'layer' : 'layers'}`
  }
  return String((m as { kind: string }).kind)
}
