import { Rng } from '../../runtime/rng'
import type { DataPosition } from '../train-checkpoint'

/**
 * The order prompts are trained in: each epoch a permutation of 0…n−1 drawn from the order
 * generator, whose state before the draw is the position's `orderRng`; the next epoch's
 * permutation is drawn from the same generator after it. So a position (epoch, offset, orderRng)
 * is all a resumed run needs to continue with the same prompts.
 */
export class PromptOrder {
  private order: number[]
  private generator: Rng

  private constructor(
    private readonly count: number,
    public position: DataPosition,
  ) {
    this.generator = Rng.fromState(position.orderRng)
    this.order = this.generator.shuffle(Array.from({ length: count }, (_, i) => i))
  }

  static start(count: number, generator: Rng): PromptOrder {
    return new PromptOrder(count, { epoch: 0, offset: 0, orderRng: generator.save() })
  }

  static resume(count: number, position: DataPosition): PromptOrder {
    return new PromptOrder(count, position)
  }

  /** The next `n` prompt indices, drawing a new permutation when an epoch runs out. */
  take(n: number): number[] {
    const out: number[] = []
    while (out.length < n) {
      if (this.position.offset >= this.count) {
        const orderRng = this.generator.save()
        this.order = this.generator.shuffle(Array.from({ length: this.count }, (_, i) => i))
        this.position = { epoch: this.position.epoch + 1, offset: 0, orderRng }
      }
      out.push(this.order[this.position.offset])
      this.position = { ...this.position, offset: this.position.offset + 1 }
    }
    return out
  }
}
