import type { Handlers, Service } from '../engine/handlers'
import { listDevices } from './probe'

/** `devices.list`: the execution providers of this machine, probed once per process. */
export class DeviceService implements Service {
  readonly handlers: Partial<Handlers> = {
    'devices.list': ({ refresh }) => listDevices({ refresh }),
  }
}
