import type { Bench } from './bench'
import { datasetBenches } from './datasets'
import { generateBenches } from './generate'
import { matmulBenches } from './matmul'
import { nashmdBenches } from './nashmd'
import { tournamentBenches } from './tournament'
import { trainBenches } from './train'

/** Every bench, grouped by file (add a group: one file exporting Bench[], one line here). */
export const benches: Bench[] = [...matmulBenches, ...trainBenches, ...generateBenches, ...nashmdBenches, ...datasetBenches, ...tournamentBenches]
