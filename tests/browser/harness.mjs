// Shared harness of Noaber's browser tests: the real `noaber` server on loopback with a fresh demo
// database, Debian's Chromium driven by playwright-core, and the helpers the tests use.
//
// startServer() makes a temporary directory, runs `noaber demo --db <dir>/noaber.db --password PW`,
// starts `noaber serve` on a free 127.0.0.1 port (NOABER_PUBLIC_URL pointing at it, sanitizer
// options set) and polls /healthz until it answers 200. stop() sends SIGTERM; the server must exit
// with code 0 within 10 seconds and its stderr must hold no sanitizer report.
//
// launchBrowser() starts /usr/bin/chromium (never a browser Playwright downloads). The keyboard
// helpers move focus only with Tab and Shift+Tab and read where it landed, so a test proves that
// a person without a mouse can reach every control it uses; every element that takes focus on the
// way must show a visible focus indicator. checkAxe() runs axe-core with the WCAG 2.1 A and AA
// tags and returns its violations as readable lines.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PASSWORD = 'test-wachtwoord-2024';
export const HOOD = 'binnenstad';
export const HOODS = ['binnenstad', 'oost', 'zuilen'];
export const EMAIL = {
  admin: 'admin@demo.noaber.nl',
  coordinator: 'coordinator@demo.noaber.nl',
  connector: 'connector@demo.noaber.nl',
  partner: 'partner@demo.noaber.nl',
  resident: 'resident@demo.noaber.nl',
};
export const ROLES = Object.keys(EMAIL);
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic'];
export const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SANITIZER_MARKS = ['AddressSanitizer', 'runtime error:', 'LeakSanitizer'];

/** Parses --noaber PATH and --out DIR (defaults: build/noaber and build/screenshots). */
export function parseArgs(argv) {
  const args = {
    noaber: process.env.NOABER_BIN || path.join(REPO, 'build', 'noaber'),
    out: path.join(REPO, 'build', 'screenshots'),
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--noaber' && i + 1 < argv.length) args.noaber = argv[++i];
    else if (argv[i] === '--out' && i + 1 < argv.length) args.out = argv[++i];
  }
  return args;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

function sanitizerReport(text) {
  return SANITIZER_MARKS.some((m) => text.includes(m));
}

export class Server {
  constructor(bin) {
    this.bin = bin;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'noaber-browser-'));
    this.db = path.join(this.dir, 'noaber.db');
    this.stderrPath = path.join(this.dir, 'stderr.log');
    this.proc = null;
  }

  env() {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NOABER_')) env[k] = v;
    env.NOABER_PUBLIC_URL = this.base;
    env.ASAN_OPTIONS = 'detect_leaks=1';
    env.LSAN_OPTIONS = 'suppressions=' + path.join(REPO, 'tests', 'lsan.supp');
    env.UBSAN_OPTIONS = 'print_stacktrace=1';
    return env;
  }

  async start() {
    if (!fs.existsSync(this.bin)) throw new Error(`no noaber binary at ${this.bin} (pass --noaber PATH)`);
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const demo = spawnSync(this.bin, ['demo', '--db', this.db, '--password', PASSWORD],
      { env: this.env(), encoding: 'utf8', timeout: 120000 });
    if (demo.status !== 0) throw new Error(`noaber demo failed (${demo.status}): ${demo.stderr}`);
    if (sanitizerReport(demo.stderr)) throw new Error('sanitizer report from noaber demo:\n' + demo.stderr);
    const err = fs.openSync(this.stderrPath, 'w');
    this.proc = spawn(this.bin, ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`],
      { env: this.env(), stdio: ['ignore', 'ignore', err] });
    fs.closeSync(err);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 20000;
    for (;;) {
      if (this.proc.exitCode !== null) {
        throw new Error(`noaber serve exited with ${this.proc.exitCode}:\n${this.stderr()}`);
      }
      if ((await httpStatus(this.base + '/healthz')) === 200) return this;
      if (Date.now() > deadline) {
        this.proc.kill('SIGKILL');
        throw new Error('noaber serve did not answer /healthz within 20 s:\n' + this.stderr());
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stderr() {
    try {
      return fs.readFileSync(this.stderrPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Problems seen so far: the server died, or wrote a sanitizer report. */
  problems() {
    if (this.proc && this.proc.exitCode !== null) return `noaber serve died (${this.proc.exitCode}):\n${this.stderr()}`;
    if (sanitizerReport(this.stderr())) return 'sanitizer report from noaber serve:\n' + this.stderr();
    return null;
  }

  /** Stops the server; returns a problem text, or null when it stopped cleanly. */
  async stop() {
    if (!this.proc) return null;
    let problem = null;
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = new Promise((r) => setTimeout(() => r(null), 10000));
      const res = await Promise.race([this.exited, timer]);
      if (res === null) {
        this.proc.kill('SIGKILL');
        problem = 'noaber serve did not stop within 10 s of SIGTERM';
      } else if (res.code !== 0) {
        problem = `noaber serve exited with ${res.code} (${res.signal}) after SIGTERM`;
      }
    }
    const err = this.stderr();
    if (sanitizerReport(err)) problem = (problem ? problem + '\n' : '') + 'sanitizer report:\n' + err;
    if (problem === null) fs.rmSync(this.dir, { recursive: true, force: true });
    return problem;
  }
}

/** Context options of every test: a Dutch browser, as most of Noaber's people have. */
export const CONTEXT = { locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' };

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// --- keyboard ------------------------------------------------------------------------------------

/** Where focus is: whether it matches selector, whether it shows a focus ring, and a description. */
async function focusState(page, selector) {
  return page.evaluate((sel) => {
    const e = document.activeElement;
    if (!e || e === document.body) return { matches: false, visible: true, here: 'body' };
    const st = getComputedStyle(e);
    const ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none';
    let here = e.tagName.toLowerCase();
    if (e.id) here += '#' + e.id;
    if (e.getAttribute('name')) here += `[name=${e.getAttribute('name')}]`;
    if (e.getAttribute('href')) here += `[href=${e.getAttribute('href')}]`;
    const text = (e.innerText || e.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    if (text) here += ` "${text}"`;
    return { matches: sel ? e.matches(sel) : false, visible: ring, here };
  }, selector);
}

/** A short description of the focused element, for messages. */
export async function focused(page) {
  return (await focusState(page, null)).here;
}

/**
 * Presses Tab (or Shift+Tab when back) until the focused element matches selector. Throws when
 * it is not reached within max presses, or when an element on the way shows no focus indicator.
 * Returns the number of presses.
 */
export async function tabTo(page, selector, { back = false, max = 60 } = {}) {
  const trail = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const st = await focusState(page, selector);
    trail.push(st.here);
    if (!st.visible) throw new Error(`no visible focus indicator on ${st.here} (${page.url()})`);
    if (st.matches) return i;
  }
  throw new Error(`focus never reached ${selector} on ${page.url()}; Tab went through:\n  ` + trail.join('\n  '));
}

/** Asserts that the focused element matches selector. */
export async function expectFocus(page, selector) {
  const st = await focusState(page, selector);
  if (!st.matches) throw new Error(`expected focus on ${selector}, it is on ${st.here} (${page.url()})`);
}

/** Presses a key that should load a new page (following links, submitting forms), waits for it. */
export async function pressAndLoad(page, key) {
  const nav = page.waitForNavigation({ waitUntil: 'load', timeout: 30000 });
  await page.keyboard.press(key);
  return nav;
}

/** Tabs to a text field and types into it. */
export async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/**
 * Logs in through /login with the keyboard only: Tab to the fields, type, Enter on the button.
 * Returns the response of the page that follows.
 */
export async function keyboardLogin(page, base, login, password = PASSWORD) {
  await page.goto(base + '/login');
  await typeInto(page, '#login', login);
  await typeInto(page, '#password', password);
  await tabTo(page, 'form[action="/login"] button[type=submit]');
  return pressAndLoad(page, 'Enter');
}

// --- axe -----------------------------------------------------------------------------------------

/** Runs axe-core (WCAG 2.1 A and AA) on the page; returns one readable line per failing node. */
export async function checkAxe(page) {
  // Legacy mode runs axe in the page itself; the default opens an extra page per run to merge
  // the results of frames, which triples the time, and Noaber's pages have no frames.
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
  const lines = [];
  for (const v of results.violations) {
    for (const n of v.nodes) {
      lines.push(`${v.id} (${v.impact}) at ${JSON.stringify(n.target)}: ${v.help} — ${v.helpUrl}` +
        (n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''));
    }
  }
  return lines;
}

/**
 * Reflow (WCAG 1.4.10): at phone width the page must not scroll sideways. Returns a description of
 * the elements that stick out past the right edge (outside any scrolling box), or [] when none do.
 */
export async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.right <= width + 1 || r.width === 0) continue;
      let clipped = false;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') clipped = true;
      }
      if (clipped) continue;
      let s = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
      out.push(`${s} reaches ${Math.round(r.right)}px of ${width}px`);
      if (out.length >= 5) break;
    }
    return out.length ? out : [`the page is ${document.documentElement.scrollWidth}px wide, the screen ${width}px`];
  });
}

/** Safe file name part from a page name. */
export function slug(s) {
  return s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
}

// --- second step -----------------------------------------------------------------------------------

/** The six-digit TOTP code (RFC 6238: HMAC-SHA1, 30-second steps) of a base32 secret, as an app shows. */
export function totp(secret, when = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/[\s=-]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${secret}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

/** The GET routes of `noaber routes` that serve HTML pages (not the JSON API). */
export function pageRoutes(bin) {
  const out = spawnSync(bin, ['routes'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`noaber routes failed: ${out.stderr}`);
  return out.stdout.split('\n').map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === 'GET' && f[1] && !f[1].startsWith('/api/'))
    .map((f) => f[1]);
}

/** Whether a route pattern such as /n/{hood}/members matches a path. */
export function routeMatches(route, p) {
  const re = new RegExp('^' + route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]*\\?\}/g, '[^/]+') + '$');
  return re.test(p);
}
