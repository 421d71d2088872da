import type { MethodName, Output, ParsedInput } from '../api/contract'

/** Per-call context: which front door, and a signal that aborts when the caller goes away. */
export interface CallContext {
  signal: AbortSignal
}

export type Handler<M extends MethodName> = (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>> | Output<M>
export type Handlers = { [M in MethodName]: Handler<M> }

/** A feature of the engine: owns its handlers, may hold resources between boot and shutdown. */
export interface Service {
  readonly handlers: Partial<Handlers>
  shutdown?(): Promise<void> | void
}
