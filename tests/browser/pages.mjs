// Every page reachable from the demo, logged out and as each role: axe-core (WCAG 2.1 A and AA)
// must find no violation, at phone width (390x844) and at desktop width (1280x900), and a full-page
// screenshot of each is saved as <out>/<role>-<page>-<width>.png for a person to look at.
//
// A page is a path to open, or a form to fill and send (the pages that show form errors, and the
// pages a form leads to). Each names the HTTP status it must answer with, so a page that quietly
// turned into an error page is caught. Message pages are found from the inbox, so their ids need
// not be known in advance.
//
// The demo holds no residents' profiles, so the pages make them on the way, in this order: the
// resident fills in her profile (the five questions), agrees to be found and contacted and gives
// the connector a machtiging; the connector does an intake of a neighbour, adds a note, opens the
// resident's file, acts on her behalf and imports a member list; later the resident sees what was
// done for her and who opened her file (AFTER). The ids of those two residents are learned from the
// pages (state), never assumed.
//
// A few GET routes answer with a file, not a page (NON_HTML): the route check in run.mjs skips
// them, and registerFileTests() checks their status and Content-Type instead.

import assert from 'node:assert/strict';
import { HOOD, HOODS, WIDTHS } from './harness.mjs';

/** Person ids learned from the pages: rian (the demo resident), neighbour (made by the intake). */
const state = { rian: null, neighbour: null };
const fileOf = (who) => () => `/n/${HOOD}/residents/${known(who)}`;

function known(who) {
  assert.ok(state[who], `the id of ${who} is known by now (an earlier page failed?)`);
  return state[who];
}

const val = (x) => (typeof x === 'function' ? x() : x);

/** A date n days from today, as people type it (31-03-2025). */
function dateIn(days) {
  const d = new Date(Date.now() + days * 86400000);
  return `${String(d.getDate()).padStart(2, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${d.getFullYear()}`;
}

/** Opens the first message of the inbox; returns its path. */
async function firstMessage(page, base) {
  await page.goto(base + '/messages');
  const href = await page.getAttribute('ul.messages a[href^="/messages/"]', 'href');
  assert.ok(href, 'the inbox lists a message');
  return href;
}

/**
 * Fills a form by field id and sends it with Enter on its button. A value is text, true for a box
 * or radio to tick, or { option: text } for the option of a select whose label contains text.
 */
async function sendForm(page, action, fields) {
  for (const [id, value] of Object.entries(fields)) {
    if (value === true) await page.check('#' + id);
    else if (value && value.option) {
      const v = await page.$eval('#' + id, (s, t) => [...s.options].find((o) => o.textContent.includes(t))?.value, value.option);
      assert.ok(v, `#${id} has an option "${value.option}"`);
      await page.selectOption('#' + id, v);
    } else await page.fill('#' + id, val(value));
  }
  return press(page, `form[action="${action}"] button[type=submit]`);
}

/** Presses Enter on a button that sends a form; returns the response of the page that follows. */
async function press(page, selector) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.press(selector, 'Enter');
  return nav;
}

/** A page to open; p may be a function (a path with an id learned on the way). */
function open(name, p, status = 200, { then } = {}) {
  return {
    name,
    status,
    run: async (page, base) => {
      const res = await page.goto(base + val(p));
      if (then) await then(page);
      return res;
    },
  };
}

/** A form to send from page `from` to `action` (both may be functions). */
function post(name, from, action, fields, status, { then } = {}) {
  return {
    name,
    status,
    run: async (page, base) => {
      await page.goto(base + val(from));
      const res = await sendForm(page, val(action), fields);
      if (then) await then(page);
      return res;
    },
  };
}

const message = {
  name: 'message',
  status: 200,
  run: async (page, base) => page.goto(base + (await firstMessage(page, base))),
};

/** A check after a page loaded: the text of the first element matching selector includes text. */
function sees(selector, text) {
  return async (page) => {
    const el = await page.$(selector);
    const got = el ? await el.innerText() : null;
    assert.ok(got !== null && got.includes(val(text)), `${selector} shows "${val(text)}"; it shows: ${got}`);
  };
}

/** The id in the link of a resident's file whose text is name, on the page shown. */
async function fileLink(page, name) {
  const href = await page.$$eval(`main a[href^="/n/${HOOD}/residents/"]`,
    (as, n) => as.find((a) => a.textContent.trim() === n)?.getAttribute('href'), name);
  assert.ok(href, `the page links to the file of ${name}`);
  return Number(href.split('/').pop());
}

// The people the pages make: the resident's answers, and the neighbour of the intake.
const RIAN = {
  about: 'Ik woon sinds 1987 aan de Oudegracht, met mijn kat Moortje. Vroeger was ik onderwijzeres.',
  wants: 'Meer mensen uit de straat leren kennen, en samen koken.',
  abilities: 'Voorlezen, breien, kleine klusjes in huis.',
  needs: 'Af en toe iemand die de boodschappen meeneemt als het glad is.',
  offers: 'Huiswerkbegeleiding voor kinderen uit de buurt, op woensdagmiddag.',
  availability: 'Doordeweeks in de ochtend',
};
const NEIGHBOUR = 'Hendrika (Riek) van der Linden-Oosterhuis';
const CSV = '\ufeffNaam;E-mail;Telefoon;Postcode;Huisnummer;Toestemming;Datum toestemming;Hoe\r\n' +
  'Jan Lijst;jan.lijst@example.org;;3511 AB;3;ja;01-02-2024;papier\r\n' +
  'Els Lijst;;06 12345678;3512CD;14b;ja;2024-02-03;mondeling\r\n' +
  'Piet Zonder;piet.zonder@example.org;;3511AB;5;nee;;\r\n' +
  'Ver Weg;ver.weg@example.org;;3581KL;1;ja;2024-02-01;\r\n';

/** The import form sent with a CSV file (or none), by keyboard on its button. */
function importCsv(name, csv, status, { then } = {}) {
  return {
    name,
    status,
    run: async (page, base) => {
      await page.goto(`${base}/n/${HOOD}/members/import`);
      if (csv) await page.setInputFiles('#file', { name: 'leden.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      const res = await press(page, `form[action="/n/${HOOD}/members/import"] button[type=submit]`);
      if (then) await then(page);
      return res;
    },
  };
}

// What every logged-in role sees; the resident also gets the pages whose look does not change
// with the role (a form error on the account page, another neighbourhood, not found, not allowed).
const member = [
  open('home', '/'),
  open('account', '/account'),
  open('account-totp', '/account/totp'),
  open('messages', '/messages'),
  message,
  open('hood', `/n/${HOOD}`),
  open('profile', '/profile'),
  open('data', '/account/data'),
];

// The demo's citizens' panels (src/panels/web_demo.c): 1 is drawn and published, 2 is in stage 1
// and takes the printed demo response code, 3 is ready for its draw.
const PANEL_PUBLISHED = 1;
const PANEL_OPEN = 2;
const PANEL_READY = 3;
const PANEL_CODE = 'DEMA-2345';

/** A coordinator's pages of the citizens' panels. */
const panelPages = [
  open('panels', `/n/${HOOD}/panels`),
  open('panel-new', `/n/${HOOD}/panels/new`),
  post('panel-new-errors', `/n/${HOOD}/panels/new`, `/n/${HOOD}/panels`, { title: '', quotas: 'feature,value,min,max\nleeftijd,jong,5,2' }, 422),
  open('panel-published', `/n/${HOOD}/panels/${PANEL_PUBLISHED}`),
  open('panel-open', `/n/${HOOD}/panels/${PANEL_OPEN}`),
  open('panel-ready', `/n/${HOOD}/panels/${PANEL_READY}`, 200, { then: sees('main fieldset', 'Maximin') }),
  open('panel-draw', `/n/${HOOD}/panels/${PANEL_PUBLISHED}/draw`),
  open('panel-volunteers', `/n/${HOOD}/panels/${PANEL_PUBLISHED}/volunteers`, 200, { then: sees('main table', 'Gekozen') }),
  open('panel-reply', `/n/${HOOD}/panels/${PANEL_OPEN}/reply`),
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
    // citizens' panels: the sign-up with a response code, and the published outcome (demo panel 1)
    open('panel-signup', '/panel/signup'),
    post('panel-signup-wrong-code', '/panel/signup', '/panel/signup', { code: 'ABCD-EFGH' }, 400),
    open('panel-signup-questions', `/panel/signup?code=${PANEL_CODE}`, 200,
      { then: sees('main form fieldset legend', 'Hoe oud ben je?') }),
    post('panel-signup-errors', `/panel/signup?code=${PANEL_CODE}`, '/panel/signup', { name: 'Iemand' }, 422),
    open('panel-result', `/n/${HOOD}/panels/${PANEL_PUBLISHED}/result`, 200, { then: sees('main figure', '%') }),
  ],
  resident: [
    ...member,
    post('account-password-error', '/account', '/account/password', { 'new-password': 'kort', password2: 'anders' }, 422),
    open('other-hood', '/n/oost'),
    open('not-found', '/messages/999999', 404),
    open('forbidden', '/admin', 403),
    open('forbidden-members', `/n/${HOOD}/members`, 403),
    // her profile: errors first, then the five questions answered, consents and a machtiging
    post('profile-errors', '/profile', '/profile', { phone: 'bel me maar', postcode: '3581 AA', house_number: '!!' }, 422),
    post('profile-saved', '/profile', '/profile', {
      ...RIAN, 'offer-odd-jobs': true, 'offer-company': true, 'want-cooking': true, show_about: true,
      show_abilities: true, show_availability: true, 'ch-call': true, phone: '030 123 45 67',
      postcode: '3511 AB', house_number: '12', consent_profile: true,
    }, 200, { then: async (page) => assert.equal(await page.inputValue('#about'), RIAN.about, 'the answers are saved') }),
    {
      name: 'profile-consents',
      status: 200,
      run: async (page, base) => {
        await page.goto(base + '/profile');
        const consent = (p) => `form[action="/profile/consents"]:has(input[name=purpose][value=${p}])`;
        await press(page, consent('matching') + ' button');
        const res = await press(page, consent('contact') + ' button');
        for (const p of ['matching', 'contact']) {
          assert.ok(await page.$(consent(p) + ' input[name=give][value="0"]'), `the consent for ${p} is given`);
        }
        return res;
      },
    },
    post('profile-machtiging', '/profile', '/profile/authorisations', { connector: { option: 'Kees' } }, 200,
      { then: sees('#authorisations table', 'Kees') }),
    open('help', `/n/${HOOD}/help`),
    open('help-found', `/n/${HOOD}/help?skill=odd-jobs`),
    open('access-log', '/account/access-log'),
    open('erase', '/account/erase'),
    post('erase-error', '/account/erase', '/account/erase', {}, 422),
    open('forbidden-caseload', `/n/${HOOD}/caseload`, 403),
    open('forbidden-reports', `/n/${HOOD}/reports`, 403),
  ],
  connector: [
    ...member,
    open('members', `/n/${HOOD}/members`),
    open('members-pending', `/n/${HOOD}/members?pending=1`),
    open('member-new', `/n/${HOOD}/members/new`),
    open('calls', `/n/${HOOD}/calls`),
    open('letters', `/n/${HOOD}/letters`),
    // the intake of a neighbour at the door, with errors first
    open('intake', `/n/${HOOD}/residents/new`),
    post('intake-errors', `/n/${HOOD}/residents/new`, `/n/${HOOD}/residents`, {
      display_name: '', postcode: '3581 AA', house_number: '', phone: '12', about: 'Woont alleen.',
      health_note: 'Slecht ter been.', next_contact: '31-02-2025',
    }, 422),
    post('intake-saved', `/n/${HOOD}/residents/new`, `/n/${HOOD}/residents`, {
      display_name: NEIGHBOUR, postcode: '3512 CD', house_number: '7 bis', phone: '06 98765432',
      place: { option: 'telefoon' }, consent_profile: true, consent_matching: true, consent_contact: true,
      consent_health: true, about: 'Weduwe, woont al veertig jaar in de Lange Nieuwstraat.',
      wants: 'Iemand om mee te wandelen.', abilities: 'Bakken.', needs: 'Hulp met formulieren van de gemeente.',
      offers: 'Appeltaart voor de buurtmiddag.', availability: 'Middagen', 'offer-cooking': true,
      'want-paperwork': true, 'want-company': true, health_note: 'Loopt met een rollator sinds de heupoperatie.',
      next_contact: () => dateIn(2), authorise: true, authorise_until: () => dateIn(60),
    }, 200, {
      then: async (page) => {
        const m = new URL(page.url()).pathname.match(/\/residents\/(\d+)$/);
        assert.ok(m, `the intake leads to the new file, not ${page.url()}`);
        state.neighbour = Number(m[1]);
      },
    }),
    post('file-note', fileOf('neighbour'), () => `/n/${HOOD}/residents/${known('neighbour')}/notes`,
      { 'n-text': 'Gebeld: gaat goed, wil graag naar de buurtmiddag van vrijdag.' }, 200,
      { then: sees('#notes', 'buurtmiddag van vrijdag') }),
    post('file-note-error', fileOf('neighbour'), () => `/n/${HOOD}/residents/${known('neighbour')}/notes`, { 'n-text': '' }, 422),
    open('caseload', `/n/${HOOD}/caseload`, 200, {
      then: async (page) => {
        await sees('main section[aria-labelledby=due-h]', NEIGHBOUR)(page);
        state.rian = await fileLink(page, 'Rian Bewoner');
      },
    }),
    open('file-machtiging', fileOf('rian'), 200, { then: sees('main a.button[href^="/profile?acting_for="]', 'Rian Bewoner') }),
    open('profile-acting', () => `/profile?acting_for=${known('rian')}`),
    post('profile-acting-saved', () => `/profile?acting_for=${known('rian')}`, '/profile', { availability: 'Dinsdag- en donderdagochtend' }, 200,
      { then: async (page) => assert.equal(await page.inputValue('#availability'), 'Dinsdag- en donderdagochtend') }),
    open('help', `/n/${HOOD}/help`),
    open('help-found', `/n/${HOOD}/help?skill=odd-jobs`, 200, { then: sees('main .cards', 'Rian Bewoner') }),
    open('help-unknown-skill', `/n/${HOOD}/help?skill=bestaat-niet`, 422),
    open('import', `/n/${HOOD}/members/import`),
    importCsv('import-error', null, 422),
    importCsv('import-result', CSV, 200, {
      then: async (page) => {
        await sees('main section[aria-labelledby=result-h]', 'Jan Lijst')(page);
        await sees('main section[aria-labelledby=result-h] table', 'Piet Zonder')(page);
      },
    }),
    open('panels', `/n/${HOOD}/panels`),
    open('panel-reply', `/n/${HOOD}/panels/${PANEL_OPEN}/reply`),
    post('panel-reply-wrong-code', `/n/${HOOD}/panels/${PANEL_OPEN}/reply`, `/n/${HOOD}/panels/${PANEL_OPEN}/reply`, { code: 'ABCD-EFGH' }, 400),
    open('forbidden-panel', `/n/${HOOD}/panels/${PANEL_OPEN}`, 403),
    open('forbidden-file-oost', () => `/n/oost/residents/${known('neighbour')}`, 403),
    open('not-found-caseload', '/n/nergens/caseload', 404),
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
    open('caseload', `/n/${HOOD}/caseload`),
    open('file', fileOf('neighbour')),
    open('intake', `/n/${HOOD}/residents/new`),
    open('help-found', `/n/${HOOD}/help?skill=cooking`, 200, { then: sees('main .cards', NEIGHBOUR) }),
    open('import', `/n/${HOOD}/members/import`),
    open('reports', `/n/${HOOD}/reports`),
    ...panelPages,
  ],
  partner: [
    ...member,
    open('forbidden-members', `/n/${HOOD}/members`, 403),
    open('reports', `/n/${HOOD}/reports`),
    open('forbidden-file', fileOf('neighbour'), 403),
    open('forbidden-caseload', `/n/${HOOD}/caseload`, 403),
    open('forbidden-help', `/n/${HOOD}/help`, 403),
    open('forbidden-panels', `/n/${HOOD}/panels`, 403),
    open('forbidden-panel', `/n/${HOOD}/panels/${PANEL_PUBLISHED}/volunteers`, 403),
  ],
  admin: [
    ...member.filter((p) => p.name !== 'message'), // the demo administrator has no messages
    open('admin', '/admin'),
    post('admin-errors', '/admin', '/admin/neighbourhoods', { name: '', slug: 'Niet Goed!', postcodes: 'abc' }, 422),
    open('members', `/n/${HOOD}/members`),
    open('members-oost', '/n/oost/members'),
    open('skills', '/admin/skills'),
    post('skills-errors', '/admin/skills', '/admin/skills', { slug: 'Niet Goed!', label_nl: 'x', label_en: '' }, 422),
    open('erase-last-admin', '/account/erase'),
    open('reports', `/n/${HOOD}/reports`),
    open('forbidden-file', fileOf('neighbour'), 403),
  ],
};

/** Pages that show what other roles did, checked after all of PAGES. */
export const AFTER = {
  resident: [
    // the machtiging, and what the connector did on her behalf
    open('profile-after', '/profile', 200, { then: sees('#acted ul', 'Kees Buurtassistent') }),
    open('access-log-after', '/account/access-log', 200, { then: sees('main table', 'Kees Buurtassistent') }),
    open('forbidden-file', fileOf('neighbour'), 403),
  ],
};

/**
 * The GET routes that answer with a file, not an HTML page: the route check of run.mjs does not
 * look for them among the pages, and registerFileTests() checks each instead.
 */
export const NON_HTML = [
  { route: '/account/data.json', why: 'a download of all one\'s data as JSON (Content-Disposition: attachment)' },
  { route: '/n/{hood}/residents/{id}/intake.pdf', why: 'the intake summary as a PDF, printed for the resident' },
  { route: '/n/{hood}/panels/{id}/letters.pdf', why: 'the invitation letters of a citizens\' panel as one PDF' },
  { route: '/n/{hood}/panels/{id}/distribution.csv', why: 'the published distribution of a draw, for checking it' },
];

/**
 * Registers one test per role (for PAGES, then AFTER): opens each of its pages in that role's
 * logged-in page, checks its HTTP status, then env.scan() runs axe and saves a screenshot at each
 * width. env.session(role) gives the role's { page } ('anon': a page that is not logged in).
 */
export function registerPageTests(test, env) {
  const phases = [[PAGES, ''], [AFTER, ', after the others']];
  for (const [pages, when] of phases) {
    for (const [role, list] of Object.entries(pages)) {
      test(`axe and screenshots: ${role}${when}`, async (t) => {
        const { page } = await env.session(role);
        for (const p of list) {
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
}

/** GET (or POST with the page's CSRF token) through the role's session; no redirects followed. */
async function fetchAs(env, role, path, { form } = {}) {
  const { page } = await env.session(role);
  const url = env.base + path;
  if (!form) return page.request.get(url, { maxRedirects: 0 });
  return page.request.post(url, { form, maxRedirects: 0 });
}

function isPdf(res, name) {
  assert.equal(res.status(), 200, `${name}: HTTP ${res.status()}`);
  assert.match(res.headers()['content-type'] || '', /^application\/pdf\b/, `${name}: Content-Type`);
  return res.body().then((b) => assert.equal(b.subarray(0, 5).toString('latin1'), '%PDF-', `${name} starts with %PDF-`));
}

/**
 * The files that are not pages (NON_HTML, and the login card, which a POST makes): the status per
 * role and the Content-Type; a PDF must start with %PDF. Each GET route checked is added to
 * env.fetched, so run.mjs can tell that nothing in NON_HTML went unchecked.
 */
export function registerFileTests(test, env) {
  test('files that are not pages: status and Content-Type', async (t) => {
    await t.test('my data as JSON: the owner gets her own data, a visitor is sent to log in', async () => {
      const res = await fetchAs(env, 'resident', '/account/data.json');
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-type'] || '', /^application\/json\b/);
      assert.match(res.headers()['content-disposition'] || '', /^attachment;/);
      const text = await res.text();
      assert.doesNotThrow(() => JSON.parse(text), 'the download is JSON');
      assert.ok(text.includes('resident@demo.noaber.nl') && text.includes(RIAN.about.slice(0, 30)),
        'the download holds her account and her answers');
      const anon = await fetchAs(env, 'anon', '/account/data.json');
      assert.ok([302, 303].includes(anon.status()), `a visitor: HTTP ${anon.status()}`);
      assert.match(anon.headers().location || '', /\/login/);
      env.fetched.add('/account/data.json');
    });
    await t.test('the intake summary as PDF: for the staff, not for a partner or a resident', async () => {
      const path = `/n/${HOOD}/residents/${known('neighbour')}/intake.pdf`;
      await isPdf(await fetchAs(env, 'connector', path), 'connector intake.pdf');
      await isPdf(await fetchAs(env, 'coordinator', path), 'coordinator intake.pdf');
      for (const role of ['partner', 'resident']) {
        const res = await fetchAs(env, role, path);
        assert.equal(res.status(), 403, `${role} intake.pdf: HTTP ${res.status()}`);
      }
      env.fetched.add('/n/{hood}/residents/{id}/intake.pdf');
    });
    await t.test('the letters of a citizens\' panel as PDF: for its coordinator only', async () => {
      const path = `/n/${HOOD}/panels/${PANEL_OPEN}/letters.pdf`;
      await isPdf(await fetchAs(env, 'coordinator', path), 'coordinator letters.pdf');
      for (const role of ['connector', 'partner', 'resident']) {
        const res = await fetchAs(env, role, path);
        assert.equal(res.status(), 403, `${role} letters.pdf: HTTP ${res.status()}`);
      }
      env.fetched.add('/n/{hood}/panels/{id}/letters.pdf');
    });
    await t.test('the distribution of a published draw as CSV: for anyone', async () => {
      const res = await fetchAs(env, 'anon', `/n/${HOOD}/panels/${PANEL_PUBLISHED}/distribution.csv`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-type'] || '', /^text\/csv\b/);
      assert.match(await res.text(), /^panel,probability,seat_1/);
      env.fetched.add('/n/{hood}/panels/{id}/distribution.csv');
    });
    await t.test('the login card as PDF (a POST from the file page)', async () => {
      const { page } = await env.session('connector');
      await page.goto(env.base + fileOf('neighbour')());
      const action = `/n/${HOOD}/residents/${known('neighbour')}/card`;
      const csrf = await page.getAttribute(`form[action="${action}"] input[name=csrf]`, 'value');
      assert.ok(csrf, 'the file page has the login card form');
      await isPdf(await fetchAs(env, 'connector', action, { form: { csrf } }), 'login card');
    });
  });
}
