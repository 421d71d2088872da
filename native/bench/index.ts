import type { Bench } from './bench'
import { datasetBenches } from './datasets'
import { matmulBenches } from './matmul'
import { trainBenches } from './train'
import { tournamentBenches } from './tournament'

/** Every bench, grouped by file (add a group: one file exporting Bench[], one line here). */
export const benches: Bench[] = [...matmulBenches, ...trainBenches, ...datasetBenches, ...tournamentBenches]
