import { runStepOverhead, STEP_OVERHEAD_FULL } from "./step-overhead.js";
async function main() {
  const figs = await runStepOverhead(STEP_OVERHEAD_FULL);
  for (const f of figs) console.log(f.name, f.value.toFixed(3), f.baseline?.value.toFixed(3), f.ratio?.toFixed(3));
  process.exit(0);
}
void main();
