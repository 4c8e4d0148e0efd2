/**
 * @module What a read of audit records met: how many files, lines and records, and every malformed
 * record with where it was (file and line, or blob, or query slice). Bad input is counted and reported,
 * never fatal: a run over a million good records must not die on one bad line.
 */

export interface Problem {
  /** File path, blob name or `workspace <id>`. */
  source: string;
  /** 1-based line, or record index inside a JSON document; 0 when the problem is the whole source. */
  line: number;
  message: string;
}

/** Only the first problems are kept with their text; the count stays exact. */
const KEPT_PROBLEMS = 100;

export interface IngestSummary {
  sources: number;
  records: number;
  malformed: number;
  benign: number;
  partial: string[];
  problems: Problem[];
}

export class IngestReport {
  sources = 0;
  records = 0;
  malformed = 0;
  /** Known-benign records (challenges, Azure's own scanners) seen and not run through the detectors. */
  benign = 0;
  /** Queries or sources that failed or answered only in part. */
  readonly partial: string[] = [];
  readonly problems: Problem[] = [];

  bad(source: string, line: number, message: string): void {
    this.malformed++;
    if (this.problems.length < KEPT_PROBLEMS) this.problems.push({ source, line, message });
  }

  /** Adds what another reader met (a worker thread's counts since its last report). */
  merge(other: IngestSummary): void {
    this.sources += other.sources;
    this.records += other.records;
    this.malformed += other.malformed;
    this.benign += other.benign;
    this.partial.push(...other.partial);
    for (const problem of other.problems) if (this.problems.length < KEPT_PROBLEMS) this.problems.push(problem);
  }

  toJSON(): IngestSummary {
    return {
      sources: this.sources,
      records: this.records,
      malformed: this.malformed,
      benign: this.benign,
      partial: this.partial,
      problems: this.problems,
    };
  }
}

/** `file:line: message`, the form editors and terminals link. */
export function formatProblem(problem: Problem): string {
  return problem.line > 0 ? `${problem.source}:${problem.line}: ${problem.message}` : `${problem.source}: ${problem.message}`;
}
