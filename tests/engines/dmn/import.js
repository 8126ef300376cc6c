// node import.js MODEL.dmn SCREENSHOT.png: imports the model in dmn-js (its viewer bundle) in
// headless Chromium, prints what the import warned about as a JSON list of messages, and takes
// a screenshot of the decision table named `decision`. Exits non-zero on an import warning, a
// console error or an uncaught exception (the bundle's console notices are not the model's).
// The browser is $CHROMIUM, or Debian's /usr/bin/chromium.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
  const [model, screenshot] = process.argv.slice(2);
  if (!model || !screenshot) throw new Error('usage: node import.js MODEL.dmn SCREENSHOT.png');
  const dist = path.join(path.dirname(require.resolve('dmn-js/package.json')), 'dist');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const problems = [];
    // The viewer bundle's own notice that it carries Inferno's development build is about the
    // bundle, not the model: every other console error is reported.
    const notice = /^It looks like you're using a minified copy of the development build of Inferno/;
    page.on('console', (m) => {
      if (m.type() === 'error' && !notice.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Nothing is fetched: the page is made here, the bundle and styles added from node_modules.
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0"><div id="canvas" style="width:1600px;height:900px"></div></body></html>');
    for (const css of ['dmn-js-shared.css', 'dmn-js-drd.css', 'dmn-js-decision-table.css', 'dmn-js-literal-expression.css', 'dmn-font/css/dmn.css']) {
      const file = path.join(dist, 'assets', css);
      if (fs.existsSync(file)) await page.addStyleTag({ path: file });
    }
    await page.addScriptTag({ path: path.join(dist, 'dmn-viewer.production.min.js') });
    const result = await page.evaluate(async (xml) => {
      const viewer = new DmnJS({ container: '#canvas' });
      const { warnings } = await viewer.importXML(xml);
      const table = viewer.getViews().find((v) => v.type === 'decisionTable' && v.element.id === 'decision');
      if (table) await viewer.open(table);
      const views = viewer.getViews().map((v) => `${v.type}:${v.element.id}`);
      const rows = document.querySelectorAll('.tjs-table tbody tr').length;
      return { warnings: warnings.map((w) => w.message), views, rows };
    }, fs.readFileSync(model, 'utf8'));
    await page.screenshot({ path: screenshot });
    const report = { warnings: result.warnings.concat(problems), views: result.views, rows: result.rows };
    process.stdout.write(JSON.stringify(report) + '\n');
    if (report.warnings.length || !result.rows) process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((e) => { process.stderr.write((e.stack || String(e)) + '\n'); process.exit(2); });
