/**
 * What each logged metric means, shown under its chart. Names follow TRL where TRL has the metric,
 * but each is computed as described here. Nashlab's τ is the KL coefficient and β the mixture
 * coefficient, and the metrics `tau` and `beta` mean exactly those (in TRL, `beta` was τ and
 * `mixture_coef` was β).
 */
export const metricHelp: Record<string, string> = {
  loss: 'The loss minimised this step. Nash-MD-PG: the surrogate loss −(1/B) Σ sg[A_n]·log π(y_n), whose gradient is the policy-gradient estimate (its value is not the objective); SFT: mean −log p of completion tokens; preference or reward model: cross-entropy on comparisons.',
  'loss/score': 'The preference part of the surrogate: −(1/B) Σ_b (p_b − ½)·log π(y_b), with p = P(y ≻ y′ | x) after the missing-EOS penalty.',
  'loss/kl': 'The KL part of the surrogate: (τ/B) Σ_b Σ_n (Σ_{m≥n} log π/μ)·log π(y_n); loss = loss/score + loss/kl.',
  'objective/kl': 'The KL estimate: mean over completions of Σ_n log π(y_n)/μ(y_n), a Monte-Carlo estimate of KL(π‖μ) in nats.',
  'objective/sampled_nll': 'Sampled negative log-likelihood: mean over completions of −Σ_n log π(y_n) (TRL logs this as objective/entropy; it is not the entropy).',
  'rewards/probabilities': 'Mean P(y ≻ y′ | x) of the policy completion against the opponent’s, as the judge gave it (before any EOS penalty).',
  'rewards/mean': 'RLHF: the mean Bradley–Terry reward r(x, y) of the policy completions.',
  'eval/win_rate': 'Held-out win rate against the reference: mean P(y ≻ y_μ | x) over the fixed held-out prompts, y from the policy, y_μ from μ.',
  grad_norm: 'Global L2 norm of the gradient before clipping.',
  learning_rate: 'The learning rate used for this step (after warm-up and schedule).',
  beta: 'β, the mixture coefficient: the opponent samples from (1 − β)·z_π + β·z_μ (0 self-play, 1 best response). TRL called this mixture_coef.',
  tau: 'τ, the KL regularisation coefficient of P(π ≻ π′) − τ·KL(π‖μ). TRL called this beta.',
  'completions/mean_length': 'Mean policy completion length in tokens (up to and including EOS).',
  'val/model_contain_eos_token': 'EOS rate: share of the policy’s completions that ended with EOS within the length limit.',
  'val/opponent_contain_eos_token': 'Share of the opponent’s completions that ended with EOS.',
  'throughput/tokens_per_second': 'Completion tokens sampled (policy and opponent) per second of the whole step.',
  'time/step': 'Seconds of the whole step.',
  'time/sample_policy': 'Seconds sampling y from the policy.',
  'time/sample_opponent': 'Seconds sampling y′ from the mixture opponent (two models, two KV caches).',
  'time/score': 'Seconds judging the pairs (or scoring the rewards).',
  'time/reference': 'Seconds computing log μ of the policy completions.',
  'time/train': 'Seconds of the train step (forward, backward, AdamW).',
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
