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
const result = { rows: ROWS, runs: RUNS, firstPaint: [], openToRows: [], scroll: undefined };
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

  // Scroll from top to bottom in steps of one screen per animation frame; record every frame's duration.
  result.scroll = await gridEval(page, async () => {
    const holder = document.querySelector('.tabulator-tableholder');
    const frames = [];
    let last = performance.now();
    const start = last;
    holder.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    while (holder.scrollTop + holder.clientHeight < holder.scrollHeight - 1) {
      holder.scrollTop += holder.clientHeight;
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
  });
  if (result.scroll.lastRowShown !== ROWS) throw new Error(`the last row shown after scrolling is ${result.scroll.lastRowShown}, not ${ROWS}`);

  const s = result.scroll;
  console.log(JSON.stringify(result, null, 2));
  console.log(`
| ${ROWS} rows, ${RUNS} opens | median | min | max |
|---|---|---|---|
| first paint in the webview (data received → grid built and painted), ms | ${round(median(result.firstPaint))} | ${round(Math.min(...result.firstPaint))} | ${round(Math.max(...result.firstPaint))} |
| command → first rows visible (whole path: webview, server data, paint), ms | ${median(result.openToRows)} | ${Math.min(...result.openToRows)} | ${Math.max(...result.openToRows)} |

| scroll top → bottom, one screen per frame | value |
|---|---|
| screens scrolled | ${s.screens} |
| total, ms | ${round(s.totalMs)} |
| mean frame, ms | ${round(s.meanFrameMs)} |
| p95 frame, ms | ${round(s.p95FrameMs)} |
| max frame, ms | ${round(s.maxFrameMs)} |
| rows in the DOM at the end (virtualised) | ${s.renderedRows} |`);
} finally {
  await stop();
}
