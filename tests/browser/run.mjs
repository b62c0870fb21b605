// Noaber's browser and accessibility tests, one run with node's built-in test runner:
//   node tests/browser/run.mjs --noaber build-test/noaber --out build/screenshots
// starts the real server on a demo database and Debian's Chromium, then runs, in order, the
// keyboard-only flows and the flow without JavaScript (flows.mjs), axe-core and screenshots of every
// page per role, and the checks of the routes that answer with a file (pages.mjs); then it checks
// that every HTML page route was scanned; last it stops the server, which must exit cleanly with no
// sanitizer report. ctest runs it once per `make test` (tests/browser/CMakeLists.txt, label "browser").
//
// Each role logs in once, by keyboard, and its page is reused by every test after: the password
// hash is slow under the sanitizers, and a person also stays logged in.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { registerFlowTests } from './flows.mjs';
import { CONTEXT, EMAIL, Server, WIDTHS, checkAxe, keyboardLogin, launchBrowser, overflow, pageRoutes,
  parseArgs, routeMatches, slug } from './harness.mjs';
import { NON_HTML, registerFileTests, registerPageTests } from './pages.mjs';

const args = parseArgs(process.argv.slice(2));
const started = Date.now();

const env = {
  server: null,
  browser: null,
  base: null,
  out: args.out,
  sessions: new Map(),
  pagesChecked: 0,
  scanned: new Set(),
  fetched: new Set(), // the NON_HTML routes registerFileTests() checked

  /** The logged-in { context, page } of a role ('anon': not logged in), made on first use. */
  async session(role) {
    if (this.sessions.has(role)) return this.sessions.get(role);
    const context = await this.browser.newContext(CONTEXT);
    const page = await context.newPage();
    const s = { context, page };
    this.sessions.set(role, s);
    if (role !== 'anon') {
      const res = await keyboardLogin(page, this.base, EMAIL[role]);
      assert.ok(res && res.ok(), `${role} logs in (HTTP ${res && res.status()} at ${page.url()})`);
    }
    return s;
  },

  /**
   * axe at both widths and screenshots of the page as it is now; fails on any violation. Unless
   * covers is false (an error page), the page counts as checked for the route it is on.
   */
  async scan(page, role, name, { covers = true } = {}) {
    if (covers) this.scanned.add(new URL(page.url()).pathname);
    const problems = [];
    for (const w of WIDTHS) {
      await page.setViewportSize({ width: w.width, height: w.height });
      for (const line of await checkAxe(page)) problems.push(`[${w.width}px] ${line}`);
      for (const line of await overflow(page)) problems.push(`[${w.width}px] reflow (WCAG 1.4.10): ${line}`);
      const h1 = await page.$$eval('h1', (hs) => hs.length);
      if (h1 !== 1) problems.push(`[${w.width}px] the page has ${h1} <h1> headings; it needs exactly one`);
      await page.screenshot({ path: path.join(this.out, `${role}-${slug(name)}-${w.width}.png`), fullPage: true });
    }
    this.pagesChecked += 1;
    assert.deepEqual(problems, [], `WCAG 2.1 A/AA violations on ${role} ${name} (${page.url()}):\n  ` + problems.join('\n  '));
  },
};

before(async () => {
  fs.mkdirSync(env.out, { recursive: true });
  for (const f of fs.readdirSync(env.out)) if (f.endsWith('.png')) fs.rmSync(path.join(env.out, f));
  env.server = await new Server(args.noaber).start();
  env.base = env.server.base;
  env.browser = await launchBrowser();
});

test('the checks themselves catch known defects', async () => {
  const context = await env.browser.newContext(CONTEXT);
  const page = await context.newPage();
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
  await page.setContent('<title>x</title><main><img src="/x.png"><input type="text">' +
    '<p style="color:#999;background:#fff">licht</p><div style="width:900px">breed</div></main>');
  const found = (await checkAxe(page)).join('\n');
  for (const id of ['html-has-lang', 'image-alt', 'label', 'color-contrast']) {
    assert.ok(found.includes(id + ' ('), `axe reports ${id}; it said:\n${found}`);
  }
  assert.ok((await overflow(page)).some((l) => l.startsWith('div')), 'the reflow check sees the wide block');
  await context.close();
});

registerFlowTests(test, env);
registerPageTests(test, env);
registerFileTests(test, env);

test('every HTML page route of `noaber routes` was checked with axe', () => {
  const routes = pageRoutes(args.noaber);
  const files = NON_HTML.map((f) => f.route);
  const missed = routes.filter((r) => !files.includes(r) && ![...env.scanned].some((p) => routeMatches(r, p)));
  assert.deepEqual(missed, [], 'routes with no page checked (add them to tests/browser/pages.mjs)');
  // The list of routes that are files must not hide a page: each is still a route, and was checked.
  assert.deepEqual(files.filter((r) => !routes.includes(r)), [], 'NON_HTML names routes that `noaber routes` no longer has');
  assert.deepEqual(files.filter((r) => !env.fetched.has(r)), [], 'NON_HTML routes whose file was not checked');
});

test('the server is still running and wrote no sanitizer report', () => {
  assert.equal(env.server.problems(), null);
});

test('the server stops cleanly on SIGTERM', async () => {
  for (const { context } of env.sessions.values()) await context.close();
  env.sessions.clear();
  await env.browser.close();
  env.browser = null;
  const problem = await env.server.stop();
  env.server = null;
  assert.equal(problem, null);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# browser tests: ${env.pagesChecked} pages checked with axe, screenshots in ${env.out}, ${seconds} s`);
});

after(async () => {
  if (env.browser) await env.browser.close().catch(() => {});
  if (env.server) await env.server.stop().catch(() => {});
});
