import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

/** One entry per working view; the navigation is built from this list. */
export const routes: (RouteRecordRaw & { meta?: { title: string; nav: boolean; key?: string } })[] = [
  { path: '/', redirect: '/demo' },
  {
    // The first view a newcomer sees: the embedded demo, its stages and its report.
    path: '/demo',
    name: 'demo',
    component: () => import('../views/DemoView.vue'),
    meta: { title: 'Demo', nav: true, key: 'h' },
  },
  {
    path: '/datasets',
    name: 'datasets',
    component: () => import('../views/DatasetsView.vue'),
    meta: { title: 'Datasets', nav: true, key: 'd' },
  },
  {
    path: '/models',
    name: 'models',
    component: () => import('../views/ModelsView.vue'),
    meta: { title: 'Models', nav: true, key: 'm' },
  },
  {
    path: '/playground',
    name: 'playground',
    component: () => import('../views/PlaygroundView.vue'),
    meta: { title: 'Playground', nav: true, key: 'p' },
  },
  {
    // Runs start from here (SFT, preference and reward models), so it is in the navigation.
    path: '/training',
    name: 'training',
    component: () => import('../views/TrainingView.vue'),
    meta: { title: 'Training', nav: true, key: 't' },
  },
  {
    path: '/compare',
    name: 'compare',
    component: () => import('../views/CompareView.vue'),
    meta: { title: 'Compare', nav: true, key: 'c' },
  },
  {
    path: '/vote',
    name: 'vote',
    component: () => import('../views/VoteView.vue'),
    meta: { title: 'Blind vote', nav: true, key: 'v' },
  },
  {
    path: '/tournaments',
    name: 'tournaments',
    component: () => import('../views/TournamentView.vue'),
    meta: { title: 'Tournaments', nav: true, key: 'o' },
  },
  {
    path: '/game',
    name: 'game',
    component: () => import('../views/GameLabView.vue'),
    meta: { title: 'Game lab', nav: true, key: 'g' },
  },
]

export const router = createRouter({ history: createWebHashHistory(), routes })
