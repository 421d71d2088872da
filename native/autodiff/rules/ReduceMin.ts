import { gradient } from '../rule'
import { extremumGradient } from './ReduceMax'

/** Y = min of X over axes: dY goes to the minimal elements, shared among ties. */
export const ReduceMin = gradient(extremumGradient)
