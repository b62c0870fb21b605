// Every page reachable from the demo, logged out and as each role: axe-core (WCAG 2.1 A and AA)
// must find no violation, at phone width (390x844) and at desktop width (1280x900), and a full-page
// screenshot of each is saved as <out>/<role>-<page>-<width>.png for a person to look at.
//
// A page is a path to open, or a form to fill and send (the pages that show form errors). Each
// names the HTTP status it must answer with, so a page that quietly turned into an error page is
// caught. Message pages are found from the inbox, so their ids need not be known in advance.

import assert from 'node:assert/strict';
import { HOOD, HOODS, WIDTHS } from './harness.mjs';

/** Opens the first message of the inbox; returns its path. */
async function firstMessage(page, base) {
  await page.goto(base + '/messages');
  const href = await page.getAttribute('ul.messages a[href^="/messages/"]', 'href');
  assert.ok(href, 'the inbox lists a message');
  return href;
}

/** Fills a form by field id (text, or true for a checkbox) and sends it with Enter on its button. */
async function sendForm(page, action, fields) {
  for (const [id, value] of Object.entries(fields)) {
    if (value === true) await page.check('#' + id);
    else await page.fill('#' + id, value);
  }
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.press(`form[action="${action}"] button[type=submit]`, 'Enter');
  return nav;
}

function open(name, p, status = 200) {
  return { name, status, run: (page, base) => page.goto(base + p) };
}

function post(name, from, action, fields, status) {
  return {
    name,
    status,
    run: async (page, base) => {
      await page.goto(base + from);
      return sendForm(page, action, fields);
    },
  };
}

const message = {
  name: 'message',
  status: 200,
  run: async (page, base) => page.goto(base + (await firstMessage(page, base))),
};

// What every logged-in role sees; the resident also gets the pages whose look does not change
// with the role (a form error on the account page, another neighbourhood, not found, not allowed).
const member = [
  open('home', '/'),
  open('account', '/account'),
  open('account-totp', '/account/totp'),
  open('messages', '/messages'),
  message,
  open('hood', `/n/${HOOD}`),
];

/** Pages per role; 'anon' is a visitor who is not logged in. */
export const PAGES = {
  anon: [
    open('home', '/'),
    open('login', '/login'),
    post('login-error', '/login', '/login', { login: 'resident@demo.noaber.nl', password: 'niet-het-goede-wachtwoord' }, 401),
    open('login-code', '/login/code'),
    post('login-code-error', '/login/code', '/login/code', { code: 'ABCD-EFGH-JKLM' }, 400),
    open('register', '/register'),
    post('register-errors', '/register', '/register', { display_name: '', email: 'geen-adres', postcode: '9999', password: 'kort', password2: 'anders' }, 422),
    open('password-reset', '/password/reset'),
    post('password-reset-error', '/password/reset', '/password/reset', { email: 'geen-adres' }, 422),
    open('verify', '/verify'),
    ...HOODS.map((h) => open(`hood-${h}`, `/n/${h}`)),
    open('not-found', '/deze-pagina-bestaat-niet', 404),
  ],
  resident: [
    ...member,
    post('account-password-error', '/account', '/account/password', { 'new-password': 'kort', password2: 'anders' }, 422),
    open('other-hood', '/n/oost'),
    open('not-found', '/messages/999999', 404),
    open('forbidden', '/admin', 403),
    open('forbidden-members', `/n/${HOOD}/members`, 403),
  ],
  connector: [
    ...member,
    open('members', `/n/${HOOD}/members`),
    open('members-pending', `/n/${HOOD}/members?pending=1`),
    open('member-new', `/n/${HOOD}/members/new`),
    open('calls', `/n/${HOOD}/calls`),
    open('letters', `/n/${HOOD}/letters`),
  ],
  coordinator: [
    ...member,
    open('members', `/n/${HOOD}/members`),
    open('members-pending', `/n/${HOOD}/members?pending=1`),
    open('members-page-2', `/n/${HOOD}/members?page=2`),
    open('member-new', `/n/${HOOD}/members/new`),
    post('member-new-errors', `/n/${HOOD}/members/new`, `/n/${HOOD}/members`, { display_name: '', email: 'geen-adres', username: 'Niet Goed!' }, 422),
    open('calls', `/n/${HOOD}/calls`),
    open('letters', `/n/${HOOD}/letters`),
  ],
  partner: [...member, open('forbidden-members', `/n/${HOOD}/members`, 403)],
  admin: [
    ...member.filter((p) => p.name !== 'message'), // the demo administrator has no messages
    open('admin', '/admin'),
    post('admin-errors', '/admin', '/admin/neighbourhoods', { name: '', slug: 'Niet Goed!', postcodes: 'abc' }, 422),
    open('members', `/n/${HOOD}/members`),
    open('members-oost', '/n/oost/members'),
  ],
};

/**
 * Registers one test per role: opens each of its pages in that role's logged-in page, checks its
 * HTTP status, then env.scan() runs axe and saves a screenshot at each width. env.session(role)
 * gives the role's { page } ('anon': a page that is not logged in).
 */
export function registerPageTests(test, env) {
  for (const [role, pages] of Object.entries(PAGES)) {
    test(`axe and screenshots: ${role}`, async (t) => {
      const { page } = await env.session(role);
      for (const p of pages) {
        await t.test(`${role} ${p.name}`, async () => {
          await page.setViewportSize({ width: WIDTHS[1].width, height: WIDTHS[1].height });
          const res = await p.run(page, env.base);
          const status = res ? res.status() : 0;
          assert.equal(status, p.status, `${role} ${p.name}: HTTP ${status} at ${page.url()}, expected ${p.status}`);
          await env.scan(page, role, p.name, { covers: p.status === 200 });
        });
      }
    });
  }
}
