// Browser test of the editor plugin against a running ReportGen service (started by EditorBrowserTests.cs).
// Env: REPORTGEN_URL, REPORTGEN_KEY, PLAYWRIGHT_DIR (folder with node_modules/playwright-core),
//      CHROMIUM (executable), SCREENSHOT_DIR. Exits 1 with a message on the first failed check.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(path.join(process.env.PLAYWRIGHT_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const url = process.env.REPORTGEN_URL;
const shots = process.env.SCREENSHOT_DIR;
const profile = mkdtempSync(path.join(tmpdir(), 'rg-chromium-'));
const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok, detail });
  if (!ok) throw new Error(`FAILED: ${name} ${detail}`);
  console.log(`ok - ${name}`);
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-dev-shm-usage'],
  viewport: { width: 1000, height: 900 },
});
let exitCode = 0;
try {
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(`${url}/editor/`);
  await page.fill('#api-key', process.env.REPORTGEN_KEY);

  // --- textarea: a suggestion appears while a sentence is being typed ---
  const textarea = page.locator('#report');
  await textarea.click();
  await textarea.pressSequentially('The heart is normal in size. The lu', { delay: 20 });
  await page.waitForFunction(() => document.getElementById('report').dataset.rgSuggestion, null, { timeout: 10000 });
  const ghost = await page.locator('.rg-mirror .rg-ghost').textContent();
  check('ghost text continues the typed word', ghost === 'ngs are clear.', JSON.stringify(ghost));
  const announced = await page.locator('.rg-live').first().textContent();
  check('suggestion announced in an aria-live region', announced.includes('The lungs are clear.'), announced);
  await page.screenshot({ path: path.join(shots, 'editor-suggestion.png') });

  // Tab inserts it.
  await page.keyboard.press('Tab');
  const value = await textarea.inputValue();
  check('Tab inserts the suggestion', value === 'The heart is normal in size. The lungs are clear.', JSON.stringify(value));
  check('focus stays in the editor after Tab', await page.evaluate(() => document.activeElement.id) === 'report');

  // After a finished sentence the next one is suggested; Esc removes it.
  await page.waitForFunction(() => document.getElementById('report').dataset.rgSuggestion, null, { timeout: 10000 });
  const next = await page.locator('.rg-mirror .rg-ghost').textContent();
  check('next sentence suggested after a sentence ends', next.startsWith(' ') && next.trim().length > 3, JSON.stringify(next));
  await page.screenshot({ path: path.join(shots, 'editor-next-sentence.png') });
  await page.keyboard.press('Escape');
  check('Esc removes the ghost text', !(await page.evaluate(() => document.getElementById('report').dataset.rgSuggestion))
    && (await page.locator('.rg-mirror .rg-ghost').count() === 0 || (await page.locator('.rg-mirror .rg-ghost').textContent()) === ''));
  check('Esc leaves the text as typed', await textarea.inputValue() === value);

  // Ctrl+Right accepts one word.
  await textarea.pressSequentially(' No', { delay: 20 });
  await page.waitForFunction(() => document.getElementById('report').dataset.rgSuggestion, null, { timeout: 10000 });
  const before = await textarea.inputValue();
  await page.keyboard.press('Control+ArrowRight');
  const after = await textarea.inputValue();
  check('Ctrl+Right accepts exactly one word', after.startsWith(before) && /^ \S+$/.test(after.slice(before.length)), JSON.stringify(after.slice(before.length)));

  // Under an "Impression:" heading the section goes with the request: the corpus's impression sentence is suggested.
  await textarea.fill('');
  await textarea.pressSequentially('Findings: The heart is normal in size. The lungs are clear.\nImpression: No', { delay: 10 });
  await page.waitForFunction(() => document.getElementById('report').dataset.rgSuggestion, null, { timeout: 10000 });
  const impressionGhost = await page.locator('.rg-mirror .rg-ghost').textContent();
  check('an Impression: heading asks for an impression sentence', impressionGhost === ' acute cardiopulmonary disease.', JSON.stringify(impressionGhost));
  await page.keyboard.press('Escape');

  // --- contenteditable ---
  const rich = page.locator('#rich');
  await rich.click();
  await rich.pressSequentially('The heart is normal in size. The lungs are c', { delay: 20 });
  await page.waitForFunction(() => document.getElementById('rich').dataset.rgSuggestion, null, { timeout: 10000 });
  const richGhost = await page.locator('#rich .rg-ghost').textContent();
  check('contenteditable shows ghost text', richGhost === 'lear.', JSON.stringify(richGhost));
  await page.screenshot({ path: path.join(shots, 'editor-contenteditable.png') });
  await page.keyboard.press('Tab');
  const richText = await page.evaluate(() => {
    const clone = document.getElementById('rich').cloneNode(true);
    clone.querySelectorAll('.rg-ghost').forEach(n => n.remove());
    return clone.textContent;
  });
  check('Tab inserts into the contenteditable', richText === 'The heart is normal in size. The lungs are clear.', JSON.stringify(richText));
  await page.keyboard.press('Escape');
  check('no page errors', errors.length === 0, errors.join('; '));
} catch (e) {
  console.error(e.message);
  exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify({ checks: checks.length, failed: checks.filter(c => !c.ok).length }));
process.exit(exitCode);
