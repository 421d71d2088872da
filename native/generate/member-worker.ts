/**
 * The entry of a thread that runs members of a mixture (member-thread.ts starts it): it holds each
 * member's NativeRunner and, during a batch, its SlotBatch, and answers the sampling thread's steps
 * through the batch's shared buffer (member-protocol.ts). Built as out/main/mixture-member.js; from
 * source, member-bootstrap.mjs loads it through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { DecoderRows } from './decoder-session'
import { DONE, KIND, LEAVE, MESSAGE, MESSAGE_BYTES, SEQUENCE, sharedViews, STATUS, type FromMemberThread, type ThreadInit, type ToMemberThread } from './member-protocol'
import { NativeRunner } from './runner'

const init = workerData as ThreadInit
const port = parentPort!
const post = (message: FromMemberThread) => port.postMessage(message)
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** How long one wait for the next command blocks before it looks again (ms). */
const WAIT_SLICE_MS = 1000

/** Serve a batch's steps until the sampling thread says LEAVE: each step, every member's logits into the buffer. */
async function serve(batches: DecoderRows[], message: Extract<ToMemberThread, { type: 'start' }>): Promise<void> {
  const { control, tokens, message: text, logits } = sharedViews(message.buffer, message.layout)
  // A fresh buffer: its first command is 1 (reading SEQUENCE here could miss a step signalled already).
  let seen = 0
  for (;;) {
    if (Atomics.wait(control, SEQUENCE, seen, WAIT_SLICE_MS) === 'timed-out') continue
    seen = Atomics.load(control, SEQUENCE)
    if (Atomics.load(control, KIND) === LEAVE) return
    const fed = Array.from(tokens)
    try {
      for (let k = 0; k < batches.length; k++) logits[k].set(await batches[k].step(fed))
      control[STATUS] = 0
    } catch (error) {
      const bytes = new TextEncoder().encode(messageOf(error)).subarray(0, MESSAGE_BYTES)
      text.set(bytes)
      control[MESSAGE] = bytes.length
      control[STATUS] = 1
    }
    Atomics.store(control, DONE, seen)
    Atomics.notify(control, DONE)
  }
}

async function main(): Promise<void> {
  const runners: NativeRunner[] = []
  for (const member of init.members) {
    try {
      runners.push(await NativeRunner.create(member.config, member.weights, { weights: member.mode, session: { ...member.session, provider: 'cpu' } }))
    } catch (error) {
      post({ type: 'failed', member: member.index, message: messageOf(error) })
      return
    }
  }
  post({ type: 'ready' })
  // Messages are handled one after another: a start serves its batch until LEAVE, then the next message runs.
  let queue = Promise.resolve()
  port.on('message', (message: ToMemberThread) => {
    queue = queue.then(async () => {
      if (message.type === 'release') {
        await Promise.all(runners.map((r) => r.release()))
        post({ type: 'released' })
        port.close()
        return
      }
      const batches: DecoderRows[] = []
      const logits: Float32Array[] = []
      for (const [k, runner] of runners.entries()) {
        try {
          const weights = message.weights[k]
          if (weights) runner.setWeights(weights)
          const batch = runner.rows(message.context ?? undefined, { oneThread: message.oneThread })
          logits.push(await batch.start(message.prompts, message.reserve))
          batches.push(batch)
        } catch (error) {
          post({ type: 'failed', member: init.members[k].index, message: messageOf(error) })
          return
        }
      }
      post({ type: 'started', logits })
      await serve(batches, message)
    })
  })
}

await main()
