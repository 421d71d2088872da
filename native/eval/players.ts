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
  /** The data folder the manifest's paths are relative to. */
  dataDir: string
  /** Folder holding tokenizer.json (responses are re-encoded when two models' differ). */
  tokenizerDir: string
  /** A checkpoint's weights folder, in place of the model's own. */
  weightsFolder: string | null
}

/** A preference or reward model, resolved for a worker. */
export interface PreferenceSpec {
  ref: string
  label: string
  modelId: number
  manifest: PreferenceManifest
  dataDir: string
}

interface CheckpointRow {
  id: number
  run: number
  step: number
  path: string
  algorithm: string
  /** The model the run produced, else the one it trained (as the catalog's export resolves it). */
  model: number | null
  /** A model registered with exactly these weights (the run's final model), which lists it already. */
  registered: number | null
}

const checkpointSelect = `
  SELECT c.id, c.run_id AS run, c.step, c.path, r.algorithm,
         coalesce((SELECT m.id FROM models m WHERE m.run_id = c.run_id ORDER BY m.id LIMIT 1), r.model_id) AS model,
         (SELECT m.id FROM models m WHERE m.checkpoint_id = c.id LIMIT 1) AS registered
    FROM checkpoints c JOIN runs r ON r.id = c.run_id`

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
    return { ref: `model:${model.id}`, label: model.name, modelId: model.id, checkpointId: null, manifest, dataDir: this.dataDir, tokenizerDir: tokenizerDir(this.dataDir, manifest), weightsFolder: null }
  }

  /** A preference or reward model by `model:<id>`, name or id (a judge's `pref:<model>`). */
  preference(ref: string): PreferenceSpec {
    const model = this.model(ref)
    const manifest = manifestOf(model)
    if (manifest.kind !== 'preference' && manifest.kind !== 'reward') {
      throw new NashlabError('invalid_input', `Model "${model.name}" is a ${manifest.kind} model, not a preference or reward model; it cannot judge pairs.`, { model: model.id })
    }
    return { ref: `model:${model.id}`, label: model.name, modelId: model.id, manifest, dataDir: this.dataDir }
  }

  /**
   * Everything that can play or judge, for pickers: models newest first, then the checkpoints of
   * runs whose model is a policy (a run's final checkpoint that is registered as a model is listed
   * once, as that model).
   */
  choices(): { players: PlayerChoice[]; preferences: PlayerChoice[] } {
    const players: PlayerChoice[] = []
    const preferences: PlayerChoice[] = []
    const policies = new Map<number, ModelRow>()
    for (const model of this.models.list()) {
      if ((model.config as Partial<ModelManifest>).format !== 'nashlab-model') continue
      const manifest = model.config as unknown as ModelManifest
      const choice: PlayerChoice = { ref: `model:${model.id}`, label: model.name, kind: 'model', model: { id: model.id, name: model.name, kind: model.kind }, checkpoint: null, detail: describe(manifest) }
      if (manifest.kind === 'preference' || manifest.kind === 'reward') preferences.push(choice)
      else {
        players.push(choice)
        if (manifest.kind === 'policy') policies.set(model.id, model)
      }
    }
    const checkpoints = this.db.prepare(`${checkpointSelect} ORDER BY c.run_id DESC, c.step`).all() as CheckpointRow[]
    for (const c of checkpoints) {
      const model = c.model === null ? undefined : policies.get(c.model)
      if (!model || c.registered !== null) continue
      players.push({
        ref: `checkpoint:${c.id}`,
        label: `${model.name} @ step ${c.step}`,
        kind: 'checkpoint',
        model: { id: model.id, name: model.name, kind: model.kind },
        checkpoint: { id: c.id, run: c.run, step: c.step },
        detail: `run ${c.run} (${c.algorithm}), step ${c.step}`,
      })
    }
    return { players, preferences }
  }

  private model(ref: string): ModelRow {
    const id = /^model:(\d+)$/.exec(ref)
    return this.models.get(id ? Number(id[1]) : ref)
  }

  /** A checkpoint of a run that trained a policy: the policy's architecture and tokenizer, the checkpoint's weights. */
  private checkpointPolicy(id: number): PolicySpec {
    const row = this.db.prepare(`${checkpointSelect} WHERE c.id = ?`).get(id) as CheckpointRow | undefined
    if (!row) throw new NashlabError('not_found', `There is no checkpoint ${id}.`, { checkpoint: id })
    if (row.model === null) {
      throw new NashlabError('invalid_input', `Checkpoint ${id} belongs to run ${row.run}, which names no model; its architecture and tokenizer are unknown.`, { checkpoint: id })
    }
    const model = this.models.get(row.model)
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
      dataDir: this.dataDir,
      tokenizerDir: tokenizerDir(this.dataDir, manifest),
      weightsFolder: dataPath(this.dataDir, row.path),
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
