import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { useDemoStore } from './demo'

const stage = (id: string, status: string) => ({ id, label: id, status, progress: null, seconds: null, detail: null })
const status = (state: string, report: boolean) => ({ state, mode: 'quick', stages: [stage('sft', state === 'running' ? 'running' : 'done')], startedAt: null, finishedAt: null, error: null, out: report ? '/data/demo/quick' : null, report, summary: null })

/** The one mocked boundary: a transport whose demo starts, pushes a change, and finishes with a report. */
function fakeTransport() {
  return answeringTransport(async (method) => {
    switch (method) {
      case 'demo.status':
        return status('idle', false)
      case 'demo.run':
        return status('running', false)
      case 'demo.report':
        return { html: '<h1>report</h1>', out: '/data/demo/quick' }
      default:
        throw unexpected(method)
    }
  })
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('starts the demo, follows its stages, and loads the report when it finishes', async () => {
  const demo = useDemoStore()
  await demo.start()
  expect(demo.status?.state).toBe('idle')
  expect(demo.reportHtml).toBeNull()
  await demo.run('quick')
  expect(demo.running).toBe(true)
  fake.push('demo.changed', status('completed', true))
  await new Promise((r) => setTimeout(r, 0))
  expect(demo.status?.state).toBe('completed')
  expect(demo.reportHtml).toBe('<h1>report</h1>')
  expect(demo.reportUrl).toBe('/demo/report.html')
  expect(fake.calls.map((c) => c.method)).toEqual(['demo.status', 'demo.run', 'demo.report'])
  demo.stop()
})
