/**
 * What each logged metric means, shown under its chart. Names follow TRL where TRL has the metric,
 * but each is computed as described here (τ is the KL coefficient, β the mixture coefficient).
 */
export const metricHelp: Record<string, string> = {
  loss: 'The loss minimised this step: for Nash-MD-PG the surrogate loss (its gradient is the policy-gradient estimate); for SFT the mean −log p of completion tokens; for a preference or reward model the cross-entropy on comparisons.',
  'loss/score': 'Mean preference term: P(y ≻ y′) − ½ averaged over the batch.',
  'loss/kl': 'τ times the mean KL estimate: the regularisation part of the objective.',
  kl: 'Mean over completions of Σ log π(y_n)/μ(y_n): a Monte-Carlo estimate of KL(π‖μ) in nats.',
  'rewards/probabilities': 'Mean P(y ≻ y′ | x) of the policy sample against the mixture opponent.',
  'win_rate/reference': 'P(policy ≻ reference) on the fixed held-out prompts, judged by the preference model.',
  'objective/entropy': 'Mean negative log-probability of the sampled completions (sampled NLL), per sequence.',
  sampled_nll: 'Mean negative log-likelihood of the sampled completion tokens under the policy, per token.',
  grad_norm: 'Global L2 norm of the gradient before clipping.',
  learning_rate: 'The learning rate used for this step (after warm-up and schedule).',
  beta: 'β: weight of the reference in the opponent mixture (0 self-play, 1 best response to μ).',
  mixture_coef: 'β: weight of the reference in the opponent mixture.',
  tau: 'τ: the KL regularisation coefficient.',
  completion_length: 'Mean completion length in tokens (up to and including EOS).',
  eos_rate: 'Share of completions that ended with EOS within the length limit.',
  'val/model_contain_eos_token': 'Share of completions that contain an EOS token.',
  'tokens/s': 'Training throughput: completion tokens processed per second this step.',
  accuracy: 'Held-out accuracy: share of comparisons where the model prefers the chosen response.',
  log_loss: 'Held-out cross-entropy of the preference model (nats per comparison).',
  epoch: 'Passes over the training examples so far (fractional within an epoch).',
  'eval/loss': 'Held-out SFT loss: mean −log p of the completion tokens of examples not trained on (nats per token).',
  'eval/accuracy': 'Held-out accuracy: share of decisive comparisons whose preferred response gets P > ½.',
  'eval/log_loss': 'Held-out cross-entropy of P(y ≻ y′ | x) against the labels, tie = ½ (nats per comparison).',
  'eval/calibration_error': 'Expected calibration error over 10 bins of P: how far predicted probabilities are from observed frequencies.',
}

export function describeMetric(name: string): string {
  return metricHelp[name] ?? ''
}
