import { availableParallelism } from 'node:os'
import { isMainThread, Worker } from 'node:worker_threads'
import { NashlabError } from '../api/errors'
import type { Weights } from '../models/weights'
import { builtEntry } from '../runtime/typescript-child'
import { DONE, KIND, LEAVE, MESSAGE, SEQUENCE, sharedLayout, sharedViews, STATUS, STEP, type FromMemberThread, type ThreadMember, type ToMemberThread } from './member-protocol'

/** File name of the member thread's entry that electron-vite's main build emits beside the engine's bundle. */
export const BUILT_MEMBER_THREAD = 'mixture-member.js'

/** The member thread's entry: the built one beside this module, or the TypeScript one through tsx. */
export function memberThreadEntry(moduleUrl: URL | string = import.meta.url): URL {
  return builtEntry(BUILT_MEMBER_THREAD, moduleUrl) ?? new URL('./member-bootstrap.mjs', moduleUrl)
}

/** Cores this process may use at once (a mixture's members run on threads of their own only with two or more). */
export function cores(): number {
  return availableParallelism()
}

/**
 * How long a step or a message may take before the member thread counts as hung (ms): a safety
 * net, far beyond any step (≈ 1 ms) or prefill of the models a thread runs.
 */
export const MEMBER_TIMEOUT_MS = 120_000
/** A blocking wait for a step looks at the thread's messages (an exit) this often (ms). */
const WAIT_SLICE_MS = 20

/** Atomics.waitAsync (Node 16 and later; ES2024, beyond the project's ES2023 library types). */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<string> | string } }).waitAsync

/** One batch's shared buffer, as this side sees it. */
type Shared = ReturnType<typeof sharedViews> & { epoch: number }

/**
 * A worker thread that runs some members of a mixture for the sampling thread: `start` runs their
 * prefill, each step is `signal` (the tokens, then the thread computes while this one runs its own
 * members) and `wait` (the members' last-position logits, views of the shared buffer, valid until
 * the next signal). A member that fails, or a thread that exits, rejects with a NashlabError naming
 * the member; `release` ends the thread.
 */
export class MemberThread {
  private shared: Shared | null = null
  private epoch = 0
  private sent = 0
  private pending: { resolve(message: FromMemberThread): void; reject(error: Error): void } | null = null
  private ended: NashlabError | null = null
  private crash = ''

  private constructor(
    private readonly worker: Worker,
    readonly members: readonly ThreadMember[],
  ) {
    worker.on('message', (message: FromMemberThread) => this.receive(message))
    worker.on('error', (error) => {
      this.crash = error.message
    })
    worker.on('exit', (code) => {
      const what = this.crash ? `: ${this.crash}` : ` with code ${code}`
      this.ended ??= new NashlabError('internal', `The thread running ${this.describe()} ended${what}.`, { members: members.map((m) => m.index), exitCode: code })
      this.pending?.reject(this.ended)
      this.pending = null
    })
    // An idle member thread does not keep the process alive (a runner never released, a command that
    // has finished); while it is awaited, a reply's timer (or a wait's) does. After the listeners:
    // adding one refs the thread's port again.
    worker.unref()
  }

  /** Start a thread for `members` and wait until their sessions are made. */
  static async create(members: ThreadMember[], entry: URL = memberThreadEntry()): Promise<MemberThread> {
    const worker = new Worker(entry, { workerData: { members } })
    const thread = new MemberThread(worker, members)
    try {
      await thread.reply('the making of its sessions')
    } catch (error) {
      await worker.terminate()
      throw error
    }
    return thread
  }

  /** Which members the thread runs, for messages: "model 1 (the reference)". */
  private describe(): string {
    return this.members.map((m) => `model ${m.index} of the mixture (${m.name})`).join(' and ')
  }

  private member(index: number): ThreadMember {
    return this.members.find((m) => m.index === index) ?? this.members[0]
  }

  private receive(message: FromMemberThread): void {
    const pending = this.pending
    this.pending = null
    if (message.type === 'failed') {
      const member = this.member(message.member)
      pending?.reject(new NashlabError('internal', `Model ${member.index} of the mixture (${member.name}) failed in its thread: ${message.message}`, { member: member.index, model: member.name }))
    } else pending?.resolve(message)
  }

  /** The thread's answer to the last message, within MEMBER_TIMEOUT_MS. */
  private reply(what: string): Promise<FromMemberThread> {
    if (this.ended) return Promise.reject(this.ended)
    return new Promise<FromMemberThread>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null
        reject(new NashlabError('internal', `The thread running ${this.describe()} gave no answer to ${what} within ${MEMBER_TIMEOUT_MS / 1000} s.`))
      }, MEMBER_TIMEOUT_MS)
      const done = () => clearTimeout(timer)
      this.pending = {
        resolve: (m) => (done(), resolve(m)),
        reject: (e) => (done(), reject(e)),
      }
    })
  }

  private post(message: ToMemberThread): void {
    this.worker.postMessage(message)
  }

  /** Tell the thread to stop serving the current batch's steps (it then reads its messages). */
  private leave(): void {
    const shared = this.shared
    if (!shared) return
    Atomics.store(shared.control, KIND, LEAVE)
    Atomics.add(shared.control, SEQUENCE, 1)
    Atomics.notify(shared.control, SEQUENCE)
    this.shared = null
  }

  /**
   * A new batch: the members' prefill of `prompts`, within `context` (the mixture's), with
   * `weights[k]` the current weights of a fed member k (null for built-in ones), so a fed member
   * starts each batch with the weights its runner has then; `oneThread`: every step on the members'
   * one-thread sessions however wide. Returns the batch's epoch (a later start ends this batch) and
   * each member's last-position logits.
   */
  async start(prompts: readonly (readonly number[])[], reserve: number, vocab: number, context: number | null, weights: readonly (Weights | null)[], oneThread = false): Promise<{ epoch: number; logits: Float32Array[] }> {
    this.leave()
    const layout = sharedLayout(prompts.length, vocab, this.members.length)
    const buffer = new SharedArrayBuffer(layout.bytes)
    const epoch = ++this.epoch
    const answer = this.reply('a prefill')
    this.post({ type: 'start', buffer, layout, prompts: prompts.map((p) => [...p]), reserve, context, weights: [...weights], oneThread })
    const message = await answer
    if (message.type !== 'started') throw new NashlabError('internal', `The thread running ${this.describe()} answered a prefill with "${message.type}".`)
    this.shared = { ...sharedViews(buffer, layout), epoch }
    this.sent = 0
    return { epoch, logits: message.logits }
  }

  private current(epoch: number): Shared {
    if (this.ended) throw this.ended
    const shared = this.shared
    if (!shared || shared.epoch !== epoch) throw new NashlabError('internal', `Another batch of the mixture started on the thread running ${this.describe()}; this batch cannot continue (a mixture's batches run one at a time).`)
    return shared
  }

  /** Hand the thread one step's tokens (it starts at once). */
  signal(epoch: number, tokens: readonly number[]): void {
    const shared = this.current(epoch)
    shared.tokens.set(tokens)
    Atomics.store(shared.control, KIND, STEP)
    this.sent = Atomics.add(shared.control, SEQUENCE, 1) + 1
    Atomics.notify(shared.control, SEQUENCE)
  }

  /**
   * The members' logits of the step last signalled. Off the main thread it blocks (Atomics.wait),
   * in slices, between which it lets this thread's events run (so a thread's exit is seen); on the
   * main thread it waits with Atomics.waitAsync.
   */
  async wait(epoch: number): Promise<Float32Array[]> {
    const shared = this.current(epoch)
    const { control } = shared
    const deadline = Date.now() + MEMBER_TIMEOUT_MS
    for (;;) {
      const done = Atomics.load(control, DONE)
      if (done === this.sent) break
      if (isMainThread) {
        const waited = waitAsync(control, DONE, done, WAIT_SLICE_MS)
        if (waited.async) {
          const keep = setTimeout(() => undefined, WAIT_SLICE_MS * 2)
          await waited.value
          clearTimeout(keep)
        }
      } else if (Atomics.wait(control, DONE, done, WAIT_SLICE_MS) === 'timed-out') {
        await new Promise((resolve) => setImmediate(resolve))
      }
      if (this.ended) throw this.ended
      if (Date.now() > deadline) throw new NashlabError('internal', `The thread running ${this.describe()} did not finish a step within ${MEMBER_TIMEOUT_MS / 1000} s.`)
    }
    if (control[STATUS] !== 0) {
      const text = new TextDecoder().decode(shared.message.slice(0, control[MESSAGE]))
      const member = this.members[0]
      const who = this.members.length === 1 ? `Model ${member.index} of the mixture (${member.name})` : `One of ${this.describe()}`
      throw new NashlabError('internal', `${who} failed in its thread: ${text}`, { members: this.members.map((m) => m.index), model: member.name })
    }
    return shared.logits
  }

  /** Release the members' sessions and end the thread. */
  async release(): Promise<void> {
    this.leave()
    if (!this.ended) {
      const answer = this.reply('a release').catch(() => undefined)
      this.post({ type: 'release' })
      await answer
    }
    this.ended ??= new NashlabError('internal', `The thread running ${this.describe()} was released.`)
    await this.worker.terminate()
  }

  /** Whether the thread has ended (released, failed or exited). */
  get running(): boolean {
    return this.ended === null
  }

  /** The worker itself (tests end it from outside, as a crash would). */
  get thread(): Worker {
    return this.worker
  }
}
