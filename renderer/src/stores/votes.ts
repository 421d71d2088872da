import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VoteChoice, VoteExport, VotePair, VoteSession } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** A blind voting session: the pair on screen, the count, undo. */
export const useVotesStore = defineStore('votes', () => {
  const errors = useErrorStore()
  const session = ref<VoteSession | null>(null)
  const pair = shallowRef<VotePair | null>(null)
  const finished = ref(false)
  const busy = ref(false)
  const lastAction = ref<string | null>(null)

  async function guard(work: () => Promise<void>) {
    if (busy.value) return
    busy.value = true
    try {
      await work()
    } catch (error) {
      errors.report(error)
    } finally {
      busy.value = false
    }
  }

  async function advance() {
    pair.value = await client().call('votes.next', { session: session.value!.session })
    finished.value = pair.value === null
  }

  function start(options: { source: string; into?: string; annotator: string; order: 'queue' | 'random' }) {
    return guard(async () => {
      session.value = await client().call('votes.start', { ...options, seed: Math.floor(Math.random() * 2 ** 31) })
      lastAction.value = null
      await advance()
    })
  }

  function vote(choice: VoteChoice) {
    return guard(async () => {
      if (!session.value || !pair.value) return
      const result = await client().call('votes.cast', { session: session.value.session, pair: pair.value.pair, choice })
      session.value = { ...session.value, votes: result.votes }
      lastAction.value = { left: 'Voted left', right: 'Voted right', tie: 'Voted tie', both_bad: 'Voted both bad' }[choice]
      await advance()
    })
  }

  function skip() {
    return guard(async () => {
      if (!session.value || !pair.value) return
      await client().call('votes.skip', { session: session.value.session, pair: pair.value.pair })
      lastAction.value = 'Skipped'
      await advance()
    })
  }

  function undo() {
    return guard(async () => {
      if (!session.value) return
      const result = await client().call('votes.undo', { session: session.value.session })
      session.value = { ...session.value, votes: result.votes }
      lastAction.value = result.undone === null ? 'Nothing to undo' : 'Last vote undone'
    })
  }

  /** Continue with a session started elsewhere (the Compare view's "vote blind on these"). */
  function adopt(started: VoteSession) {
    return guard(async () => {
      session.value = started
      lastAction.value = null
      await advance()
    })
  }

  const exported = ref<VoteExport | null>(null)
  /** Write the votes of a dataset as TRL prompt/chosen/rejected JSONL in the data folder. */
  function exportVotes(dataset: string) {
    return guard(async () => {
      exported.value = await client().call('votes.export', { dataset })
    })
  }

  function stop() {
    session.value = null
    pair.value = null
    finished.value = false
  }

  return { session, pair, finished, busy, lastAction, exported, start, adopt, vote, skip, undo, exportVotes, stop }
})
