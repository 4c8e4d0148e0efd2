/**
 * @module Audit records packed for a move between threads. Structured-cloning record objects costs about
 * what parsing them did, so a batch travels as typed arrays of ids into a value table that both sides
 * keep: a vault, an object, an operation or a caller's id crosses once, then as a number. The one
 * per-record text (the correlation id) travels as a plain string array; rare parts (policy changes, vault
 * settings) as they are. Decoded records are equal to the encoded ones, and share vault and object refs
 * the way the parser's do.
 */
import { TextCache } from "../parse/textCache.js";
import type { AuditRecord, ObjectRef } from "../record.js";

/** Ints per record, in this order. */
const VAULT = 0;
const OPERATION = 1;
const STATUS = 2;
const RESULT_SIGNATURE = 3;
const OID = 4;
const APPID = 5;
const UPN = 6;
const IDTYP = 7;
const IP = 8;
const CLIENT = 9;
const OBJECT = 10;
const INTS = 11;
/** Absent optional field. */
const NONE = -1;

type TableValue = string | AuditRecord["vault"] | ObjectRef;

export interface PackedRecords {
  /** The table was cleared before `added` (it had grown past its limit). */
  reset: boolean;
  /** New table values, ids continuing from the table's length. */
  added: TableValue[];
  count: number;
  ints: Int32Array;
  /** timeMs, durationMs per record. */
  numbers: Float64Array;
  correlationIds: string[];
  /** [index, policy change, vault settings] for the few records that carry them. */
  extras: [number, AuditRecord["policyChange"], AuditRecord["vaultConfig"]][];
}

/** Packs records; `take` hands over what was added since the last call. */
export class RecordPacker {
  /** Text values by content; vault and object refs by content, keyed apart from text by a control character. */
  #ids = new Map<string, number>();
  readonly #texts = new TextCache((value: string) => this.#id(value, value), Infinity);
  /** Vault and object refs by identity (the parser shares them), then by content. */
  #refs = new WeakMap<object, number>();
  #size = 0;
  #reset = false;
  #added: TableValue[] = [];
  #count = 0;
  #ints = new Int32Array(1024 * INTS);
  #numbers = new Float64Array(1024 * 2);
  #correlationIds: string[] = [];
  #extras: PackedRecords["extras"] = [];

  /** @param tableLimit - values after which the table starts again, so endless distinct text cannot grow it */
  constructor(readonly tableLimit = 200_000) {}

  get count(): number {
    return this.#count;
  }

  #id(key: string, value: TableValue): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      this.#ids.set(key, (id = this.#size++));
      this.#added.push(value);
    }
    return id;
  }

  #text(value: string | undefined): number {
    return value === undefined ? NONE : this.#texts.get(value);
  }

  add(r: AuditRecord): void {
    const i = this.#count++;
    if (i * INTS === this.#ints.length) {
      const ints = new Int32Array(this.#ints.length * 2);
      ints.set(this.#ints);
      this.#ints = ints;
      const numbers = new Float64Array(this.#numbers.length * 2);
      numbers.set(this.#numbers);
      this.#numbers = numbers;
    }
    const ints = this.#ints;
    const at = i * INTS;
    const p = r.principal;
    // Keys for refs start with a control character, so no string value can take their slot.
    let vault = this.#refs.get(r.vault);
    if (vault === undefined) this.#refs.set(r.vault, (vault = this.#id(`\u0001${r.vault.name}\u0000${r.vault.resourceId}`, r.vault)));
    ints[at + VAULT] = vault;
    ints[at + OPERATION] = this.#text(r.operation);
    ints[at + STATUS] = r.status;
    ints[at + RESULT_SIGNATURE] = this.#text(r.resultSignature);
    ints[at + OID] = this.#text(p.oid);
    ints[at + APPID] = this.#text(p.appid);
    ints[at + UPN] = this.#text(p.upn);
    ints[at + IDTYP] = this.#text(p.idtyp);
    ints[at + IP] = this.#text(r.ip);
    ints[at + CLIENT] = this.#text(r.client);
    const o = r.object;
    let object = NONE;
    if (o) {
      object = this.#refs.get(o) ?? NONE;
      if (object === NONE) this.#refs.set(o, (object = this.#id(`\u0002${o.type}\u0000${o.name}\u0000${o.version ?? ""}`, o)));
    }
    ints[at + OBJECT] = object;
    this.#numbers[i * 2] = r.timeMs;
    this.#numbers[i * 2 + 1] = r.durationMs;
    this.#correlationIds.push(r.correlationId);
    if (r.policyChange || r.vaultConfig) this.#extras.push([i, r.policyChange, r.vaultConfig]);
  }

  /** The records added since the last take (its `ints` and `numbers` buffers can be transferred). */
  take(): PackedRecords {
    const packed: PackedRecords = {
      reset: this.#reset,
      added: this.#added,
      count: this.#count,
      ints: this.#ints.slice(0, this.#count * INTS),
      numbers: this.#numbers.slice(0, this.#count * 2),
      correlationIds: this.#correlationIds,
      extras: this.#extras,
    };
    // The table starts again between batches only: ids in a batch refer to what it had when packed.
    this.#reset = this.#size >= this.tableLimit;
    if (this.#reset) {
      this.#ids.clear();
      this.#texts.clear();
      this.#refs = new WeakMap();
      this.#size = 0;
    }
    this.#added = [];
    this.#count = 0;
    this.#correlationIds = [];
    this.#extras = [];
    return packed;
  }
}

/** Unpacks what a RecordPacker took, batch after batch, in order. */
export class RecordUnpacker {
  #table: TableValue[] = [];

  unpack(packed: PackedRecords): AuditRecord[] {
    if (packed.reset) this.#table = [];
    for (const value of packed.added) this.#table.push(value);
    const table = this.#table;
    const text = (id: number) => table[id] as string;
    const { ints, numbers } = packed;
    const records = new Array<AuditRecord>(packed.count);
    for (let i = 0, at = 0; i < packed.count; i++, at += INTS) {
      const principal: AuditRecord["principal"] = {};
      if (ints[at + OID]! !== NONE) principal.oid = text(ints[at + OID]!);
      if (ints[at + APPID]! !== NONE) principal.appid = text(ints[at + APPID]!);
      if (ints[at + UPN]! !== NONE) principal.upn = text(ints[at + UPN]!);
      if (ints[at + IDTYP]! !== NONE) principal.idtyp = text(ints[at + IDTYP]!);
      const record: AuditRecord = {
        timeMs: numbers[i * 2]!,
        vault: table[ints[at + VAULT]!] as AuditRecord["vault"],
        operation: text(ints[at + OPERATION]!),
        status: ints[at + STATUS]!,
        resultSignature: text(ints[at + RESULT_SIGNATURE]!),
        principal,
        ip: text(ints[at + IP]!),
        client: text(ints[at + CLIENT]!),
        correlationId: packed.correlationIds[i]!,
        durationMs: numbers[i * 2 + 1]!,
      };
      if (ints[at + OBJECT]! !== NONE) record.object = table[ints[at + OBJECT]!] as ObjectRef;
      records[i] = record;
    }
    for (const [i, policyChange, vaultConfig] of packed.extras) {
      if (policyChange) records[i]!.policyChange = policyChange;
      if (vaultConfig) records[i]!.vaultConfig = vaultConfig;
    }
    return records;
  }
}
