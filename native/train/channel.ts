import crypto from 'node:crypto'
import { BroadcastChannel } from 'node:worker_threads'

/**
 * A side channel from a job's worker to the engine thread, for what progress reports do not carry:
 * a run's metrics and checkpoints, a generation's streamed tokens. Node's BroadcastChannel reaches
 * every thread of the process by name, so the job's input only needs the name (the job runner
 * passes no transferable ports).
 *
 * Messages on the channel and the job's result travel separately, so the worker counts what it
 * sent and returns the count; `ChannelReceiver.drain(count)` waits for the stragglers before the
 * engine acts on the result.
 */
export interface ChannelMessage {
  type: string
  [key: string]: unknown
}

/** Worker side: post messages, count them. */
export class ChannelSender {
  private readonly channel: BroadcastChannel
  sent = 0

  constructor(name: string) {
    this.channel = new BroadcastChannel(name)
  }

  post(message: ChannelMessage): void {
    this.channel.postMessage(message)
    this.sent++
  }

  close(): void {
    this.channel.close()
  }
}

/** Engine side: receive messages in order, wait for a known count. */
export class ChannelReceiver {
  readonly name = `nashlab.job.${crypto.randomUUID()}`
  private readonly channel = new BroadcastChannel(this.name)
  private received = 0
  private waiting: { count: number; resolve(): void } | undefined

  constructor(onMessage: (message: ChannelMessage) => void) {
    this.channel.onmessage = (event) => {
      try {
        onMessage((event as { data: unknown }).data as ChannelMessage)
      } finally {
        this.received++
        if (this.waiting && this.received >= this.waiting.count) this.waiting.resolve()
      }
    }
    // A channel keeps its thread alive; the job's result promise does that while it matters.
    ;(this.channel as unknown as { unref?: () => void }).unref?.()
  }

  /** Resolve once `count` messages have arrived (at most `timeoutMs` later, in case some were lost with a crashed worker). */
  drain(count: number, timeoutMs = 5000): Promise<void> {
    if (this.received >= count) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.waiting = {
        count,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
    })
  }

  close(): void {
    this.channel.close()
  }
}
