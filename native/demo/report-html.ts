/**
 * report.html and report.json of a demo run. The page is self-contained (inline CSS and SVG, no
 * script, no external file) so it opens from disk, from the engine's web server, or as an e-mail
 * attachment; every number on it is read from the report object.
 */
import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from '../jobs/atomic'
import type { ResponseClass } from './oracle'
import type { DemoReport, PolicyAnalysis } from './report-data'

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits))

/** Colours of the response classes and of the runs (a fixed, colour-blind-friendly palette). */
const classColour: Record<string, string> = { sushi: '#0072b2', pasta: '#e69f00', tacos: '#009e73', other: '#999999' }
const runColours = ['#0072b2', '#56b4e9', '#009e73', '#e69f00', '#d55e00', '#cc79a7', '#000000', '#999999']

/** A line chart of several series (steps → values) with axes; y in [yMin, yMax]. */
function lineChart(series: { label: string; steps: number[]; values: number[] }[], options: { title: string; yMin?: number; yMax?: number; yLabel: string }): string {
  const [w, h, left, bottom, top, right] = [560, 240, 48, 30, 24, 150]
  const all = series.flatMap((s) => s.values)
  const steps = series.flatMap((s) => s.steps)
  if (all.length === 0) return `<p class="note">${esc(options.title)}: no values were logged.</p>`
  const yMin = options.yMin ?? Math.min(...all)
  const yMax = options.yMax ?? (Math.max(...all) === yMin ? yMin + 1 : Math.max(...all))
  const xMax = Math.max(1, ...steps)
  const x = (s: number) => left + (s / xMax) * (w - left - right)
  const y = (v: number) => top + (1 - (v - yMin) / (yMax - yMin)) * (h - top - bottom)
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => yMin + t * (yMax - yMin))
  const grid = ticks.map((t) => `<line x1="${left}" x2="${w - right}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`).join('')
  const lines = series
    .map((s, i) => {
      const c = runColours[i % runColours.length]
      const pts = s.steps.map((st, k) => `${x(st).toFixed(1)},${y(s.values[k]).toFixed(1)}`).join(' ')
      return `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>${s.steps.map((st, k) => `<circle cx="${x(st).toFixed(1)}" cy="${y(s.values[k]).toFixed(1)}" r="2.5" fill="${c}"/>`).join('')}<rect x="${w - right + 10}" y="${top + i * 18}" width="12" height="3" fill="${c}"/><text x="${w - right + 26}" y="${top + i * 18 + 5}">${esc(s.label)}</text>`
    })
    .join('')
  return `<figure><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(options.title)}">${grid}<line x1="${left}" x2="${w - right}" y1="${h - bottom}" y2="${h - bottom}" class="axis"/><text x="${(left + w - right) / 2}" y="${h - 6}" text-anchor="middle">step (of ${xMax})</text>${lines}</svg><figcaption>${esc(options.title)} (${esc(options.yLabel)})</figcaption></figure>`
}

/** One stacked bar per row: the shares of the response classes. */
function shareBars(rows: { label: string; shares: Record<string, number> }[], classes: readonly string[]): string {
  const [w, rowH, left] = [560, 22, 190]
  const h = rows.length * rowH + 30
  const bars = rows
    .map((r, i) => {
      let at = left
      const y = 4 + i * rowH
      const parts = classes
        .map((k) => {
          const width = (r.shares[k] ?? 0) * (w - left - 10)
          const rect = `<rect x="${at.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${rowH - 6}" fill="${classColour[k]}"><title>${esc(k)} ${pct(r.shares[k] ?? 0)}</title></rect>${width > 34 ? `<text x="${(at + width / 2).toFixed(1)}" y="${y + 12}" text-anchor="middle" class="on">${Math.round((r.shares[k] ?? 0) * 100)}</text>` : ''}`
          at += width
          return rect
        })
        .join('')
      return `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(r.label)}</text>${parts}`
    })
    .join('')
  const legend = classes.map((k, i) => `<rect x="${left + i * 90}" y="${h - 18}" width="12" height="12" fill="${classColour[k]}"/><text x="${left + i * 90 + 16}" y="${h - 8}">${esc(k)}</text>`).join('')
  return `<figure><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="option shares">${bars}${legend}</svg><figcaption>Share of each response class among sampled completions (percent). "other": not well formed (no single recommendation, or not a complete sentence).</figcaption></figure>`
}

/** A matrix as a heat-mapped table: cell[r][c] = P(column ≻ row), optional interval and count. */
function matrixTable(players: string[], matrix: number[][], options: { low?: number[][]; high?: number[][]; n?: number[][]; caption: string }): string {
  const colour = (v: number) => {
    const d = Math.max(-1, Math.min(1, (v - 0.5) * 2))
    return d >= 0 ? `rgba(0,114,178,${(d * 0.6).toFixed(2)})` : `rgba(213,94,0,${(-d * 0.6).toFixed(2)})`
  }
  const head = `<tr><th>row \\ column</th>${players.map((p) => `<th>${esc(p)}</th>`).join('')}</tr>`
  const body = players
    .map((p, r) => `<tr><th>${esc(p)}</th>${players.map((_, c) => {
      const v = matrix[r][c]
      const ci = options.low && options.high && r !== c ? `<br><small>[${pct(options.low[r][c])}, ${pct(options.high[r][c])}]</small>` : ''
      const n = options.n && r !== c ? `<br><small>n ${options.n[r][c]}</small>` : ''
      return `<td style="background:${r === c ? 'transparent' : colour(v)}">${pct(v)}${ci}${n}</td>`
    }).join('')}</tr>`)
    .join('')
  return `<table class="matrix"><caption>${esc(options.caption)}</caption>${head}${body}</table>`
}

function policyRows(policies: PolicyAnalysis[], classes: readonly ResponseClass[]): string {
  return policies
    .map(
      (p) =>
        `<tr><td>${esc(p.label)}</td><td><code>${esc(p.model.name)}</code></td>${classes.map((k) => `<td>${pct(p.shares[k])}</td>`).join('')}<td>${p.sampleCount ?? ''}</td><td>${num(p.exploitability)}</td><td>${num(p.regularisedExploitability, 4)}</td><td>${num(p.distanceToRegularised)}</td><td>${num(p.distanceToNash)}</td><td>${pct(p.exactWinRateVsSft)}</td><td>${p.winRate.values.length ? pct(p.winRate.values.at(-1)!) : 'n/a'}</td></tr>`,
    )
    .join('')
}

export function renderReport(r: DemoReport): string {
  const classes = r.game.classes
  const runs = r.policies.filter((p) => p.key !== 'sft')
  const o = r.tournaments.oracle.result
  const pm = r.tournaments.preference.result
  const judgeRows = r.preference.optionP
    .map((x, i) => `<tr><td>P(${esc(x.a)} ≻ ${esc(x.b)})</td><td>${x.truth.toFixed(2)}</td><td>${num(x.p)}</td><td>${num(r.reward.optionP[i]?.p)}</td></tr>`)
    .join('')
  const samples = r.policies
    .map((p) => `<h3>${esc(p.label)}</h3><ul class="samples">${p.samples.map((s) => `<li><span class="tag" style="background:${classColour[s.class]}">${esc(s.class)}</span> <em>${esc(s.prompt)}</em> → ${esc(s.text)}</li>`).join('')}</ul>`)
    .join('')
  const verdictRows = r.verdicts.map((v) => `<tr><td>β ${v.beta}</td><td>${esc(v.against)}</td><td>${pct(v.p)}</td><td>[${pct(v.low)}, ${pct(v.high)}]</td><td>${v.n}</td><td>${pct(v.exact)}</td><td><b>${esc(v.outcome)}</b></td></tr>`).join('')
  const stages = r.stages.map((s) => `<tr><td>${esc(s.label)}</td><td>${s.seconds === null ? '' : s.seconds.toFixed(1)}</td></tr>`).join('')
  const exports = r.exports.map((e) => `<li><code>${esc(e.folder)}/model.onnx</code> (${(e.bytes / 1024).toFixed(0)} KiB)</li>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nashlab demo report (${esc(r.mode)})</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:600;padding:.3rem 0}
.matrix td{min-width:70px}small{color:#555}svg text{font-size:11px;fill:#333}svg text.on{fill:#fff}.grid{stroke:#eee}.axis{stroke:#999}
figure{margin:.8rem 0}figcaption{color:#555;font-size:12px}.note{color:#555}.findings li{margin:.3rem 0}
.samples{list-style:none;padding-left:0}.samples li{margin:.2rem 0}.tag{color:#fff;border-radius:3px;padding:0 .3rem;font-size:11px}
code{background:#f3f3f3;padding:0 .2rem}
</style></head><body>
<h1>Nashlab demo report — ${esc(r.mode)} run</h1>
<p class="note">Made ${esc(r.createdAt)} in ${r.seconds.toFixed(0)} s (seed ${r.seed}, models tagged <code>${esc(r.tag)}</code>). Every number on this page comes from this run; report.json beside it holds them all.</p>

<h2 id="findings">Findings</h2>
<ul class="findings">${r.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>

<h2 id="task">The task and its ground truth</h2>
<p>Prompts ask where to eat; a response recommends sushi, pasta or tacos. The rater population:
${r.population.raters.map((x) => `<b>${esc(x.name)}</b> ${pct(x.share)} (${x.ranking.map(esc).join(' ≻ ')})`).join(', ')}.
Every rater prefers a well-formed response (exactly one recommendation, a complete sentence) to one that is not; otherwise a rater drawn by share prefers by their ranking.
The majorities form a cycle, so no single score can order the options.</p>
${matrixTable([...r.population.options], r.population.matrix.map((row, i) => row.map((_, j) => r.population.matrix[j][i])), { caption: 'Population: P(column ≻ row)' })}
<p>Unregularised Nash equilibrium (maximal lottery) of the population: ${r.population.options.map((k, i) => `${esc(k)} ${pct(r.population.nash[i])}`).join(', ')}.
Regularised equilibrium π*<sub>τ</sub> (τ = ${r.game.tau}) against μ = the SFT policy's class shares (${classes.map((k, i) => `${esc(k)} ${pct(r.game.mu[i])}`).join(', ')}), solved by the game lab's Newton solver (residual ${r.game.residual.toExponential(1)}):
<b>${classes.map((k, i) => `${esc(k)} ${pct(r.game.equilibrium[i])}`).join(', ')}</b>. Because the oracle's preference depends only on a response's class, this class-level π*<sub>τ</sub> is exactly the class shares of the sequence-level equilibrium.</p>

<h2 id="data">SFT and the collected comparisons</h2>
<p>SFT policy <code>${esc(r.sft.model)}</code> (run ${r.sft.run}; held-out loss ${num(r.sft.heldOutLoss)} nats/token), trained from scratch on the demonstrations (d ${r.sizes.policy.dModel}, ${r.sizes.policy.layers} layers, vocabulary ${r.sizes.policy.vocab}).
${r.collected.count} comparisons of pairs of its samples, judged by the population, are the dataset <code>${esc(r.collected.dataset)}</code>:
${Object.entries(r.collected.outcomes).map(([k, v]) => `${esc(k)} ${v}`).join(', ')}; by rater ${Object.entries(r.collected.byRater).map(([k, v]) => `${esc(k)} ${v}`).join(', ')}.</p>

<h2 id="judges">Preference model vs Bradley–Terry reward model</h2>
<table><caption>Mean P over every prompt and pair of phrasings</caption><tr><th>pair</th><th>truth</th><th>pairwise <code>${esc(r.preference.model)}</code></th><th>BT <code>${esc(r.reward.model)}</code></th></tr>${judgeRows}
<tr><td>held-out accuracy</td><td></td><td>${r.preference.heldOut.accuracy === null ? 'n/a' : pct(r.preference.heldOut.accuracy)}</td><td>${r.reward.heldOut.accuracy === null ? 'n/a' : pct(r.reward.heldOut.accuracy)}</td></tr>
<tr><td>held-out log-loss</td><td></td><td>${num(r.preference.heldOut.logLoss)}</td><td>${num(r.reward.heldOut.logLoss)}</td></tr>
<tr><td>held-out calibration error</td><td></td><td>${num(r.preference.heldOut.calibrationError)}</td><td>${num(r.reward.heldOut.calibrationError)}</td></tr>
<tr><td>cyclic (all three &gt; ½)</td><td>yes</td><td>${r.preference.cyclic ? 'yes' : 'no'}</td><td>${r.reward.cyclic ? 'yes' : 'no'}</td></tr></table>

<h2 id="training">Training curves</h2>
<p>Every run starts from the SFT policy with τ = ${r.game.tau}, ${r.sizes.runSteps} steps of ${r.sizes.runBatch} prompts; the Nash-MD-PG family trains against the pairwise preference model, RLHF against the BT reward. The held-out win rate against the SFT policy is judged by the oracle (its exact expected preference).</p>
${lineChart(runs.map((p) => ({ label: p.label, ...p.winRate })), { title: 'Held-out win rate against the SFT policy (oracle)', yMin: 0, yMax: 1, yLabel: 'P(run ≻ SFT)' })}
${lineChart(runs.map((p) => ({ label: p.label, ...(p.curves['objective/kl'] ?? { steps: [], values: [] }) })), { title: 'KL(π‖μ) estimate per completion', yLabel: 'nats' })}

<h2 id="shares">Option shares vs π*<sub>τ</sub> and the Nash mixture</h2>
${shareBars([...r.policies.map((p) => ({ label: p.label, shares: p.shares })), { label: 'π*_τ (exact)', shares: Object.fromEntries(classes.map((k, i) => [k, r.game.equilibrium[i]])) }, { label: 'Nash mixture (τ = 0)', shares: Object.fromEntries(classes.map((k, i) => [k, i < r.population.nash.length ? r.population.nash[i] : 0])) }], classes)}
<table><caption>Per policy (exploitability: max over classes of P(class ≻ π) − ½ under the oracle; regularised: the same in the τ-game, 0 only at π*_τ; distances are total variation)</caption>
<tr><th>policy</th><th>model</th>${classes.map((k) => `<th>${esc(k)}</th>`).join('')}<th>samples</th><th>exploitability</th><th>regularised</th><th>TV to π*_τ</th><th>TV to Nash</th><th>exact win vs SFT</th><th>held-out win vs SFT</th></tr>
${policyRows(r.policies, classes)}</table>

<h2 id="tournament">Tournaments</h2>
<p>Verdict — intermediate β against self-play and best response, oracle tournament (Clopper–Pearson 95% intervals):</p>
<table><tr><th>run</th><th>against</th><th>P(run ≻ it)</th><th>95% interval</th><th>pairs</th><th>exact from shares</th><th>verdict</th></tr>${verdictRows}</table>
${matrixTable(o.players, o.matrix, { low: o.ci_low, high: o.ci_high, n: o.n, caption: `Oracle tournament ${r.tournaments.oracle.id}: P(column ≻ row), Clopper–Pearson 95% interval, judged pairs` })}
<p>Maximal lottery of this matrix: ${o.players.map((p, i) => `${esc(p)} ${pct(o.nash[i])}`).join(', ')}. Elo: ${o.players.map((p, i) => `${esc(p)} ${o.bt.elo[i].toFixed(0)}`).join(', ')}.${o.nonTransitive.length ? ` ${o.nonTransitive.length} non-transitive triples.` : ''}</p>
${matrixTable(r.exact.players, r.exact.matrix, { caption: 'Exact oracle P(column ≻ row) from each policy’s measured option shares (a[r][c] + a[c][r] = 1)' })}
${matrixTable(pm.players, pm.matrix, { low: pm.ci_low, high: pm.ci_high, n: pm.n, caption: `Preference-model tournament ${r.tournaments.preference.id} (${r.tournaments.preference.judge}): P(column ≻ row)` })}

<h2 id="samples">Sample generations</h2>
${samples}

<h2 id="exports">ONNX exports</h2>
<ul>${exports}</ul>

<h2 id="timing">Stages</h2>
<table><tr><th>stage</th><th>seconds</th></tr>${stages}</table>
</body></html>
`
}

/** Write report.json and report.html into `out`. */
export function writeReport(out: string, report: DemoReport): void {
  fs.mkdirSync(out, { recursive: true })
  writeFileAtomic(path.join(out, 'report.json'), JSON.stringify(report, null, 2))
  writeFileAtomic(path.join(out, 'report.html'), renderReport(report))
}
