/**
 * @module Detection quality, not speed: the detectors over the labelled corpora (`test/helpers/
 * routineCorpus.ts`, routine work with evasive attacks hidden in it, and the original seeded corpus), on
 * several seeds each. Prints recall per scenario and medium-or-higher false findings per vault-week; the
 * last line is one JSON object. Run: `npm run eval:audit` (EVAL_AUDIT_SEEDS=1,2,3 to choose seeds).
 */
import { formatScores, scoreRoutine, scoreSeeded, summarise, type CorpusScore } from "../test/helpers/auditScore.js";

const routineSeeds = (process.env.EVAL_AUDIT_SEEDS ?? "1,2,3,4,5").split(",").map(Number);
const seededSeeds = [7, 8, 9];
const scores: CorpusScore[] = [...routineSeeds.map(scoreRoutine), ...seededSeeds.map(scoreSeeded)];
console.log(formatScores(scores));
if (process.env.EVAL_AUDIT_VERBOSE) {
  for (const s of scores)
    for (const f of s.falseFindings) console.log(`false ${s.corpus}#${s.seed} ${f.severity} ${f.detector} ${f.vault} ${f.start} ${f.summary}`);
}
console.log(JSON.stringify(summarise(scores)));
