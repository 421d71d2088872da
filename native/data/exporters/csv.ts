/**
 * One CSV record (RFC 4180): a field is quoted when it holds a comma, a quote, a line break or
 * leading or trailing space, with its quotes doubled. Records end with CRLF, as the RFC says.
 */
export function csvRecord(fields: (string | number | null)[]): string {
  return fields.map(csvField).join(',') + '\r\n'
}

function csvField(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`
  return s
}
