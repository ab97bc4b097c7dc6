// Benchmark (not a test): first paint and scrolling of the "sdndb table" editor on a 10,000-row
// database, in the real VS Code (code-server) driven by headless Chromium. Prints the figures as
// JSON and as a Markdown table (docs/benchmarks.md records a run).
//
// Usage: node test/e2e/bench-grid.mjs [ROWS] [RUNS]     (defaults 10000 rows, 5 opens)
// Needs what the end-to-end test needs (the packaged .vsix, build/server/sdndb, chromium).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gridEval, gridFrame, openFolder, poll, prepareRun, startVSCode } from './harness.mjs';

const ROWS = Number(process.argv[2] || 10000);
const RUNS = Number(process.argv[3] || 5);
const AREAS = ['parser', 'driver', 'codegen', 'runtime', 'doc', 'stdlib'];
const STATUSES = ['open', 'open', 'in_progress', 'blocked', 'closed'];

const { RUN, WS } = prepareRun('sdndb-grid-bench');
const lines = ['# benchmark database', 'todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|'];
for (let i = 1; i <= ROWS; i++) {
  lines.push(`    ${i}, TODO, ${AREAS[i % AREAS.length]}, P${i % 4}, "Benchmark item ${i}: speed up the lexer for file ${i % 97}", ` +
    `src/${AREAS[(i * 7) % AREAS.length]}/mod${i}.spl, ${(i * 13) % 900}, "", "", ${STATUSES[i % STATUSES.length]}, true`);
}
writeFileSync(join(WS, 'bench_db.sdn'), `${lines.join('\n')}\n`);
writeFileSync(join(WS, 'README.txt'), 'grid benchmark\n');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const round = (x) => Math.round(x * 10) / 10;
const { page, BASE, stop } = await startVSCode(RUN);
const result = { rows: ROWS, runs: RUNS, firstPaint: [], openToRows: [], scroll: undefined, wheel: undefined };
try {
  await openFolder(page, BASE, WS, 'README.txt');
  await page.locator('.activitybar .action-item a[aria-label^="sdndb"], .activitybar .action-item[aria-label^="sdndb"]').first().click({ timeout: 30000 });
  const dbRow = page.locator('.pane .monaco-list-row', { hasText: /^\s*bench/ }).first();
  await poll(`bench database with ${ROWS} records`, async () => (await dbRow.textContent())?.includes(`${ROWS} records`), 60000);

  for (let run = 0; run < RUNS; run++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>sdndb: Open Database as Table');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Database as Table' }).first().waitFor();
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await gridFrame(page).locator('.tabulator-row').first().waitFor({ timeout: 60000 });
    result.openToRows.push(Date.now() - t0);
    const paint = await poll('the grid paint figure', () => gridEval(page, () => document.body.dataset.firstPaintMs), 30000);
    result.firstPaint.push(Number(paint));
    if (run < RUNS - 1) {
      await page.keyboard.press('F1');
      await input.fill('>View: Close All Editors');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
    }
  }

  // Scroll in steps per animation frame and record every frame's duration: one screen per frame from
  // top to bottom (every frame renders all-new rows: the worst case), then 96 px (four rows, like a
  // mouse wheel) per frame for 300 frames.
  const scroll = (arg) => gridEval(page, async ({ step, maxFrames }) => {
    const holder = document.querySelector('.tabulator-tableholder');
    const frames = [];
    holder.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    let last = performance.now();
    const start = last;
    while (holder.scrollTop + holder.clientHeight < holder.scrollHeight - 1 && frames.length < maxFrames) {
      holder.scrollTop += step || holder.clientHeight;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    const ids = [...document.querySelectorAll('.tabulator-row .tabulator-cell[tabulator-field="id"]')].map((c) => Number(c.textContent));
    frames.sort((a, b) => a - b);
    return {
      screens: frames.length,
      totalMs: performance.now() - start,
      meanFrameMs: frames.reduce((a, b) => a + b, 0) / frames.length,
      p95FrameMs: frames[Math.floor(frames.length * 0.95)],
      maxFrameMs: frames[frames.length - 1],
      lastRowShown: Math.max(...ids),
      renderedRows: ids.length,
    };
  }, arg);
  result.scroll = await scroll({ step: 0, maxFrames: 1e9 });
  result.wheel = await scroll({ step: 96, maxFrames: 300 });
  if (result.scroll.lastRowShown !== ROWS) throw new Error(`the last row shown after scrolling is ${result.scroll.lastRowShown}, not ${ROWS}`);

  const s = result.scroll;
  const w = result.wheel;
  console.log(JSON.stringify(result, null, 2));
  console.log(`
| ${ROWS} rows, ${RUNS} opens | median | min | max |
|---|---|---|---|
| first paint in the webview (data received → grid built and painted), ms | ${round(median(result.firstPaint))} | ${round(Math.min(...result.firstPaint))} | ${round(Math.max(...result.firstPaint))} |
| command → first rows visible (whole path: webview, server data, paint), ms | ${median(result.openToRows)} | ${Math.min(...result.openToRows)} | ${Math.max(...result.openToRows)} |

| scrolling | one screen per frame, top → bottom | 96 px per frame, 300 frames |
|---|---|---|
| frames | ${s.screens} | ${w.screens} |
| total, ms | ${round(s.totalMs)} | ${round(w.totalMs)} |
| mean frame, ms | ${round(s.meanFrameMs)} | ${round(w.meanFrameMs)} |
| p95 frame, ms | ${round(s.p95FrameMs)} | ${round(w.p95FrameMs)} |
| max frame, ms | ${round(s.maxFrameMs)} | ${round(w.maxFrameMs)} |
| rows in the DOM at the end (virtualised) | ${s.renderedRows} | ${w.renderedRows} |`);
} finally {
  await stop();
}
