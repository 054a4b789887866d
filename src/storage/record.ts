// Every record on a node's disk is sealed with a CRC-32 of its body. Opening a record checks it;
// a mismatch is a CorruptRecordError naming the database and the record, and the node refuses to
// start rather than trust a torn write or a flipped bit.
import { crc32 } from './crc32';

export interface SealedRecord {
  crc: number;
  body: Uint8Array;
}

export class CorruptRecordError extends Error {
  constructor(
    readonly database: string,
    readonly record: string,
    detail: string,
  ) {
    super(`corrupt record ${record} in database ${database}: ${detail}`);
    this.name = 'CorruptRecordError';
  }
}

export function seal(body: Uint8Array): SealedRecord {
  return { crc: crc32(body), body };
}

/** Checks a stored record and decodes its body; any failure names the database and record. */
export function unseal<T>(
  stored: unknown,
  database: string,
  record: string,
  decode: (body: Uint8Array) => T,
): T {
  if (
    typeof stored !== 'object' ||
    stored === null ||
    typeof (stored as SealedRecord).crc !== 'number' ||
    !((stored as SealedRecord).body instanceof Uint8Array)
  ) {
    throw new CorruptRecordError(database, record, 'not a sealed record (expected { crc, body })');
  }
  const { crc, body } = stored as SealedRecord;
  const actual = crc32(body);
  if (actual !== crc) {
    throw new CorruptRecordError(
      database,
      record,
      `CRC mismatch (stored ${hex(crc)}, computed ${hex(actual)})`,
    );
  }
  try {
    return decode(body);
  } catch (err) {
    throw new CorruptRecordError(
      database,
      record,
      err instanceof Error ? err.message : String(err),
    );
  }
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
