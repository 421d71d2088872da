import type { DatasetSummary, ImportResult } from '../../api/contract'
import { requiredFlag, requiredPositional, stringFlag } from '../args'
import type { CliCommand } from '../command'

const summaryLine = (d: DatasetSummary) =>
  `${d.name.padEnd(24)} ${String(d.prompts).padStart(9)} prompts ${String(d.responses).padStart(9)} responses ${String(d.comparisons).padStart(9)} comparisons`

export const datasetCommands: CliCommand[] = [
  {
    words: ['datasets', 'list'],
    usage: 'nashlab datasets list [--json]',
    summary: 'List datasets with their counts',
    run: (_args, ctx) => ctx.engine().call('datasets.list', {}),
    format: (rows: DatasetSummary[]) => (rows.length === 0 ? 'No datasets yet.' : rows.map(summaryLine).join('\n')),
  },
  {
    words: ['datasets', 'create'],
    usage: 'nashlab datasets create NAME [--description TEXT] [--json]',
    summary: 'Create an empty dataset',
    run: (args, ctx) =>
      ctx.engine().call('datasets.create', { name: requiredPositional(args, 0, 'dataset name'), description: stringFlag(args, 'description') }),
    format: (d: DatasetSummary) => `Created dataset ${d.name}.`,
  },
  {
    words: ['datasets', 'show'],
    usage: 'nashlab datasets show NAME [--json]',
    summary: 'Show one dataset with its counts',
    run: (args, ctx) => ctx.engine().call('datasets.show', { name: requiredPositional(args, 0, 'dataset name') }),
    format: summaryLine,
  },
  {
    words: ['datasets', 'delete'],
    usage: 'nashlab datasets delete NAME [--json]',
    summary: 'Delete a dataset and all its rows',
    run: (args, ctx) => ctx.engine().call('datasets.delete', { name: requiredPositional(args, 0, 'dataset name') }),
    format: (r: { deleted: string }) => `Deleted dataset ${r.deleted}.`,
  },
  {
    words: ['import'],
    usage: 'nashlab import FILE --dataset NAME [--format auto|trl] [--json]',
    summary: 'Import a preference file into a dataset (all or nothing; appends to an existing dataset)',
    run: (args, ctx) =>
      ctx.engine().call('datasets.import', {
        path: requiredPositional(args, 0, 'file to import'),
        dataset: requiredFlag(args, 'dataset'),
        format: (stringFlag(args, 'format') ?? 'auto') as 'auto' | 'trl',
      }),
    format: (r: ImportResult) =>
      `Imported ${r.rows} rows (${r.format}) into ${r.dataset.name}: ${r.prompts} new prompts, ${r.responses} new responses, ${r.comparisons} comparisons` +
      (r.duplicates > 0 ? `, ${r.duplicates} duplicates` : '') +
      '.',
  },
]
