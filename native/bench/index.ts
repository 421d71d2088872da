import type { Bench } from './bench'
import { datasetBenches } from './datasets'
import { matmulBenches } from './matmul'
import { trainBenches } from './train'
import { generateBenches } from './generate'
import { nashmdBenches } from './nashmd'

/** Every bench, grouped by file (add a group: one file exporting Bench[], one line here). */
export const benches: Bench[] = [...matmulBenches, ...trainBenches, ...datasetBenches, ...generateBenches, ...nashmdBenches]
