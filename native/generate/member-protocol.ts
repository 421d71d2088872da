import type { DecoderConfig } from '../models/config'
import type { Weights } from '../models/weights'
import type { SessionRequest } from '../runtime/session'

/**
 * The protocol between a mixture's sampling thread and a thread running some of its members
 * (member-thread.ts, member-worker.ts). Creation, the prefill and release are messages; each
 * decoding step goes through one shared buffer per batch, with Atomics (a step is ≈ 1 ms, where a
 * message each way would cost a noticeable part of it):
 *
 *   Int32 [0] SEQUENCE     the sampling thread's last command, counted from 0
 *         [1] KIND         what that command is: STEP or LEAVE
 *         [2] DONE         the last command the member thread finished
 *         [3] STATUS       0: the step's logits are in place; 1: it failed, the message follows
 *         [4] MESSAGE      bytes of the failure's message (UTF-8, at most MESSAGE_BYTES)
 *   then   tokens         Int32 × rows, the step's token per row
 *   then   message        MESSAGE_BYTES bytes
 *   then   logits         Float32 × members × rows × vocab, each member's last-position logits
 */
export const SEQUENCE = 0
export const KIND = 1
export const DONE = 2
export const STATUS = 3
export const MESSAGE = 4
const HEADER_INTS = 8
export const STEP = 1
export const LEAVE = 2
export const MESSAGE_BYTES = 1024

/** Where each part of a batch's shared buffer lies (byte offsets). */
export interface SharedLayout {
  rows: number
  vocab: number
  members: number
  tokens: number
  message: number
  logits: number
  bytes: number
}

export function sharedLayout(rows: number, vocab: number, members: number): SharedLayout {
  const tokens = HEADER_INTS * 4
  const message = tokens + rows * 4
  const logits = message + MESSAGE_BYTES
  return { rows, vocab, members, tokens, message, logits, bytes: logits + members * rows * vocab * 4 }
}

/** The views of a batch's shared buffer. */
export function sharedViews(buffer: SharedArrayBuffer, layout: SharedLayout) {
  return {
    control: new Int32Array(buffer, 0, HEADER_INTS),
    tokens: new Int32Array(buffer, layout.tokens, layout.rows),
    message: new Uint8Array(buffer, layout.message, MESSAGE_BYTES),
    logits: Array.from({ length: layout.members }, (_, k) => new Float32Array(buffer, layout.logits + k * layout.rows * layout.vocab * 4, layout.rows * layout.vocab)),
  }
}

/** One member a thread runs: its decoder, weights and session options (plain data: it is cloned into the thread). */
export interface ThreadMember {
  /** The member's place in the mixture (for messages). */
  index: number
  name: string
  config: DecoderConfig
  weights: Weights
  /** 'inputs': the weights are fed, and replaced by the sampling side's at every batch's start. */
  mode: 'constant' | 'inputs'
  session: Omit<SessionRequest, 'ort'>
}

/** The thread's workerData. */
export interface ThreadInit {
  members: ThreadMember[]
}

/** Sampling thread → member thread. */
export type ToMemberThread =
  | {
      type: 'start'
      buffer: SharedArrayBuffer
      layout: SharedLayout
      prompts: number[][]
      reserve: number
      /** The mixture's context (its members' shortest), which every member's batch keeps within. */
      context: number | null
      /** The current weights of each fed member of the thread (null: built in). */
      weights: (Weights | null)[]
      /** Every step on the members' one-thread sessions, however wide (the thread's lane has one core). */
      oneThread: boolean
    }
  | { type: 'release' }

/** Member thread → sampling thread. */
export type FromMemberThread =
  | { type: 'ready' }
  | { type: 'started'; logits: Float32Array[] }
  | { type: 'released' }
  /** `member`: the member's place in the mixture. */
  | { type: 'failed'; member: number; message: string }
