/**
 * Protocol-buffers wire format, the small part ONNX needs: varints (int32/int64/enum/bool),
 * fixed32/fixed64 (float/double), length-delimited fields (strings, bytes, sub-messages, packed
 * repeated scalars). The writer collects parts and copies each large byte buffer exactly once,
 * when the message is finished; the reader hands out views into the input, never copies.
 */

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()

/** Builds one message; nested messages are separate writers appended with `message()`. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = []
  private scratch = new Uint8Array(256)
  private used = 0
  private total = 0

  /** Bytes written so far. */
  get length(): number {
    return this.total + this.used
  }

  private ensure(n: number): void {
    if (this.used + n <= this.scratch.length) return
    this.flush()
    if (n > this.scratch.length) this.scratch = new Uint8Array(Math.max(n, 256))
  }

  private flush(): void {
    if (this.used === 0) return
    this.parts.push(this.scratch.subarray(0, this.used))
    this.total += this.used
    this.scratch = new Uint8Array(this.scratch.length)
    this.used = 0
  }

  private rawVarint(value: number): void {
    this.ensure(10)
    if (value >= 0 && value < 0x80000000) {
      let v = value
      while (v >= 0x80) {
        this.scratch[this.used++] = (v & 0x7f) | 0x80
        v >>>= 7
      }
      this.scratch[this.used++] = v
      return
    }
    this.rawVarintBig(toInt64(value))
  }

  private rawVarintBig(value: bigint): void {
    this.ensure(10)
    let v = BigInt.asUintN(64, value)
    while (v >= 0x80n) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    this.scratch[this.used++] = Number(v)
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire)
  }

  /** int32, int64, enum or bool field. Numbers beyond the int64 range are clamped to it. */
  varint(field: number, value: number | bigint | boolean): void {
    this.tag(field, WireType.varint)
    if (typeof value === 'bigint') this.rawVarintBig(value)
    else this.rawVarint(typeof value === 'boolean' ? Number(value) : value)
  }

  float(field: number, value: number): void {
    this.tag(field, WireType.fixed32)
    this.ensure(4)
    new DataView(this.scratch.buffer, this.scratch.byteOffset).setFloat32(this.used, value, true)
    this.used += 4
  }

  double(field: number, value: number): void {
    this.tag(field, WireType.fixed64)
    this.ensure(8)
    new DataView(this.scratch.buffer, this.scratch.byteOffset).setFloat64(this.used, value, true)
    this.used += 8
  }

  string(field: number, value: string): void {
    this.bytes(field, utf8Encoder.encode(value))
  }

  /** Length-delimited bytes; buffers above 1 KiB are kept by reference until `finish()`. */
  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WireType.bytes)
    this.rawVarint(value.length)
    this.append(value)
  }

  private append(value: Uint8Array): void {
    if (value.length <= 1024) {
      this.ensure(value.length)
      this.scratch.set(value, this.used)
      this.used += value.length
    } else {
      this.flush()
      this.parts.push(value)
      this.total += value.length
    }
  }

  /** A nested message (its writer is consumed). */
  message(field: number, sub: ProtoWriter): void {
    sub.flush()
    this.tag(field, WireType.bytes)
    this.rawVarint(sub.total)
    this.flush()
    for (const p of sub.parts) this.parts.push(p)
    this.total += sub.total
  }

  /** Packed repeated int64/int32 values. */
  packedVarints(field: number, values: ArrayLike<number | bigint>): void {
    if (values.length === 0) return
    const sub = new ProtoWriter()
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (typeof v === 'bigint') sub.rawVarintBig(v)
      else sub.rawVarint(v)
    }
    this.message(field, sub)
  }

  packedFloats(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return
    const data = Float32Array.from(values)
    this.bytes(field, new Uint8Array(data.buffer))
  }

  /** Already-encoded field bytes (tag included), kept verbatim: unknown fields round-trip. */
  raw(encoded: Uint8Array): void {
    this.append(encoded)
  }

  /** The whole message as one buffer. */
  finish(): Uint8Array {
    this.flush()
    if (this.parts.length === 1) return this.parts[0]
    const out = new Uint8Array(this.total)
    let offset = 0
    for (const p of this.parts) {
      out.set(p, offset)
      offset += p.length
    }
    return out
  }
}

function toInt64(value: number): bigint {
  if (!Number.isFinite(value)) return value > 0 ? INT64_MAX : INT64_MIN
  const big = BigInt(Math.trunc(value))
  return big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big
}

/** One decoded field: its number, wire type and where it lies in the buffer. */
export interface ProtoField {
  field: number
  wire: number
  /** Start of the tag (for keeping unknown fields verbatim). */
  start: number
}

/** Reads one message; `next()` walks the fields, the typed readers consume each value. */
export class ProtoReader {
  pos: number
  private readonly view: DataView

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  /** The next field header, or undefined at the end of the message. */
  next(): ProtoField | undefined {
    if (this.pos >= this.end) return undefined
    const start = this.pos
    const key = this.varint()
    return { field: Math.floor(key / 8), wire: key & 7, start }
  }

  /** An unsigned-or-signed varint as a number (int64 values beyond 2^53 lose precision). */
  varint(): number {
    const b = this.buf
    let result = 0
    let shift = 0
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new Error('Truncated varint in protobuf message.')
      const byte = b[this.pos++]
      result |= (byte & 0x7f) << shift
      if (byte < 0x80) return result >>> 0
      shift += 7
    }
    // Long varint: finish with BigInt so that negative int64 values come out right.
    let big = BigInt(result >>> 0)
    let bigShift = 28n
    for (let i = 4; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('Truncated varint in protobuf message.')
      const byte = b[this.pos++]
      big |= BigInt(byte & 0x7f) << bigShift
      if (byte < 0x80) return Number(BigInt.asIntN(64, big))
      bigShift += 7n
    }
    throw new Error('Malformed varint in protobuf message.')
  }

  /** A varint as an exact int64. */
  varintBig(): bigint {
    let big = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('Truncated varint in protobuf message.')
      const byte = this.buf[this.pos++]
      big |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return BigInt.asIntN(64, big)
      shift += 7n
    }
    throw new Error('Malformed varint in protobuf message.')
  }

  float(): number {
    const v = this.view.getFloat32(this.pos, true)
    this.pos += 4
    return v
  }

  double(): number {
    const v = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }

  /** A length-delimited value as a view into the buffer. */
  bytes(): Uint8Array {
    const n = this.varint()
    if (this.pos + n > this.end) throw new Error('Truncated length-delimited field in protobuf message.')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  string(): string {
    return utf8Decoder.decode(this.bytes())
  }

  /** A reader over a nested message. */
  message(): ProtoReader {
    const n = this.varint()
    if (this.pos + n > this.end) throw new Error('Truncated sub-message in protobuf message.')
    const sub = new ProtoReader(this.buf, this.pos, this.pos + n)
    this.pos += n
    return sub
  }

  /** Repeated varints, packed or not (pushes into `out`). */
  varints(wire: number, out: number[]): void {
    if (wire === WireType.bytes) {
      const sub = this.message()
      while (sub.pos < sub.end) out.push(sub.varint())
    } else out.push(this.varint())
  }

  /** Repeated floats, packed or not. */
  floats(wire: number, out: number[]): void {
    if (wire === WireType.bytes) {
      const sub = this.message()
      while (sub.pos < sub.end) out.push(sub.float())
    } else out.push(this.float())
  }

  /** Repeated doubles, packed or not. */
  doubles(wire: number, out: number[]): void {
    if (wire === WireType.bytes) {
      const sub = this.message()
      while (sub.pos < sub.end) out.push(sub.double())
    } else out.push(this.double())
  }

  /** Skip the value of a field and return its whole encoding (tag included). */
  skip(f: ProtoField): Uint8Array {
    switch (f.wire) {
      case WireType.varint:
        this.varint()
        break
      case WireType.fixed64:
        this.pos += 8
        break
      case WireType.bytes: {
        const n = this.varint()
        this.pos += n
        break
      }
      case WireType.fixed32:
        this.pos += 4
        break
      default:
        throw new Error(`Unsupported protobuf wire type ${f.wire} (field ${f.field}).`)
    }
    if (this.pos > this.end) throw new Error('Truncated field in protobuf message.')
    return this.buf.subarray(f.start, this.pos)
  }
}
