// The main flows of every module that exists, by keyboard only: focus moves with Tab and Shift+Tab,
// text is typed, a checkbox takes Space, a select takes typed letters, links and buttons take
// Enter. No mouse click anywhere; page.goto stands for typing an address. Then the whole
// login → pages → logout flow once more with JavaScript switched off (the app has none, so it must
// just work).
//
// The flows build on each other, in this order: the skip link; every role logs in (these sessions
// are reused by the page checks); a visitor registers with a postcode; the connector confirms that
// new resident, who asked to be called, and marks the call done; a second new resident asks for
// letters, is confirmed, and the coordinator prints her letter; the coordinator adds a member without e-mail and prints a login code; that member
// logs in with the code, switches to English, reads a message and logs out; the partner switches
// on the second login step (TOTP) and logs in anew with a recovery code; a resident signs up for
// a citizens' panel with the code from the invitation letter.

import assert from 'node:assert/strict';

import {
  CONTEXT, EMAIL, HOOD, PASSWORD, ROLES, expectFocus, focused, keyboardLogin, pressAndLoad, tabTo, totp,
  typeInto,
} from './harness.mjs';

const NEW_RESIDENT = { name: 'Fatima el Amrani', email: 'fatima@example.org', postcode: '3511AB' };
const NO_EMAIL = { name: 'Gerrit Visser', username: 'gerrit.visser' };
const LETTER_RESIDENT = { name: 'Joke Smit', email: 'joke.smit@example.org', postcode: '3512 CD' };

/** The action of the form (ending in suffix) in the table row that mentions text, or null. */
async function actionOfRow(page, text, suffix) {
  return page.evaluate(([t, suf]) => {
    for (const tr of document.querySelectorAll('main tbody tr')) {
      if (!tr.innerText.includes(t)) continue;
      const f = [...tr.querySelectorAll('form')].find((x) => x.getAttribute('action').endsWith(suf));
      return f ? f.getAttribute('action') : null;
    }
    return null;
  }, [text, suffix]);
}

/** The same for the cards of a list (.card). */
async function actionOfCard(page, text, suffix) {
  return page.evaluate(([t, suf]) => {
    for (const li of document.querySelectorAll('main .card')) {
      if (!li.innerText.includes(t)) continue;
      const f = [...li.querySelectorAll('form')].find((x) => x.getAttribute('action').endsWith(suf));
      return f ? f.getAttribute('action') : null;
    }
    return null;
  }, [text, suffix]);
}

function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

async function flashText(page) {
  const el = await page.$('main .flash[role=status]');
  return el ? (await el.innerText()).trim() : null;
}

/**
 * Keyboard-only, on /account: Tab into the channel radio group (focus lands on the checked one),
 * arrow down to the wanted channel, Tab to Save and press Enter; checks that it was saved.
 */
async function chooseChannel(page, channel) {
  const order = ['inapp', 'email', 'call', 'letter'];
  await tabTo(page, 'input[name=channel]:checked');
  const from = order.indexOf(await page.$eval('input[name=channel]:checked', (r) => r.value));
  for (let i = from; i < order.indexOf(channel); i++) await page.keyboard.press('ArrowDown');
  await expectFocus(page, `#ch-${channel}:checked`);
  await tabTo(page, 'form[action="/account"] button[type=submit]');
  await pressAndLoad(page, 'Enter');
  assert.equal(new URL(page.url()).pathname, '/account');
  assert.ok(await page.$(`#ch-${channel}:checked`), `the channel ${channel} is saved`);
}

/** Keyboard-only: Tab to the header's log-out button and press Enter; checks the session ended. */
async function keyboardLogout(page, base) {
  await page.goto(base + '/');
  await tabTo(page, 'form[action="/logout"] button[type=submit]');
  await pressAndLoad(page, 'Enter');
  assert.equal(new URL(page.url()).pathname, '/login', 'logging out ends on the login page');
  assert.ok(await flashText(page), 'the login page says you are logged out');
  const res = await page.goto(base + '/account');
  assert.equal(new URL(page.url()).pathname, '/login', `after logging out /account sends you to log in (${res.status()})`);
}

/**
 * Keyboard-only: a visitor goes from the home page to the registration form, fills it in (the
 * neighbourhood left to the postcode), ticks consent with Space and sends it. Returns the
 * { context, page } of the new, logged-in resident.
 */
async function registerResident(env, person) {
  const context = await env.browser.newContext(CONTEXT);
  const page = await context.newPage();
  await page.goto(env.base + '/');
  // From the home page's "Register" button to the form, by keyboard.
  await tabTo(page, 'main a[href="/register"]');
  await pressAndLoad(page, 'Enter');
  assert.equal(new URL(page.url()).pathname, '/register');
  await typeInto(page, '#display_name', person.name);
  await typeInto(page, '#email', person.email);
  await typeInto(page, '#postcode', person.postcode);
  await tabTo(page, '#hood');
  assert.equal(await page.$eval('#hood', (s) => s.value), '', 'the neighbourhood is left to the postcode');
  await typeInto(page, '#password', PASSWORD);
  await typeInto(page, '#password2', PASSWORD);
  await tabTo(page, '#consent');
  await page.keyboard.press('Space');
  assert.ok(await page.$eval('#consent', (c) => c.checked), 'Space ticks the consent box');
  await tabTo(page, 'form[action="/register"] button[type=submit]');
  await pressAndLoad(page, 'Enter');
  assert.equal(pathOf(page), '/', `registering ends on the home page, not ${page.url()}`);
  return { context, page };
}

export function registerFlowTests(test, env) {
  test('skip link: the first Tab shows it, Enter moves focus into the main content', async () => {
    const context = await env.browser.newContext(CONTEXT);
    const page = await context.newPage();
    await page.goto(env.base + '/login');
    await page.keyboard.press('Tab');
    await expectFocus(page, 'a.skip[href="#main"]');
    const box = await page.locator('a.skip').boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 20, `the focused skip link is on screen: ${JSON.stringify(box)}`);
    await page.keyboard.press('Enter');
    await expectFocus(page, 'main#main');
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => !!document.activeElement.closest('main'));
    assert.ok(inMain, `after the skip link, Tab goes to the main content, not to ${await focused(page)}`);
    await expectFocus(page, '#login');
    await context.close();
  });

  test('log in by keyboard as every role', async (t) => {
    for (const role of ROLES) {
      await t.test(role, async () => {
        const { page } = await env.session(role);
        assert.equal(new URL(page.url()).pathname, '/', `${role} lands on the home page`);
        assert.ok(await page.$('form[action="/logout"]'), `${role} is logged in (a log-out button shows)`);
      });
    }
  });

  test('register a new resident with a postcode, by keyboard', async () => {
    const { context, page } = await registerResident(env, NEW_RESIDENT);
    assert.ok(await flashText(page), 'the home page confirms the registration');
    assert.ok(await page.$(`main a[href="/n/${HOOD}"]`), 'postcode 3511AB placed the new resident in binnenstad');
    await env.scan(page, 'new-resident', 'home-registered');
    await page.goto(env.base + `/n/${HOOD}`);
    assert.ok(await page.$('main .notice'), 'the neighbourhood page says the registration waits for confirmation');
    assert.equal(await page.$('#inside-h'), null, 'a waiting resident does not see the residents\' part');
    await env.scan(page, 'new-resident', 'hood-waiting');
    // She wants to hear her messages by phone: the radio group takes the arrow keys.
    await tabTo(page, 'nav a[href="/account"]');
    await pressAndLoad(page, 'Enter');
    await chooseChannel(page, 'call');
    env.newResident = { context, page };
  });

  test('the connector confirms the waiting resident, by keyboard', async () => {
    assert.ok(env.newResident, 'the registration flow ran');
    const { page } = await env.session('connector');
    await page.goto(env.base + `/n/${HOOD}`);
    await tabTo(page, `main a[href="/n/${HOOD}/members"]`);
    await pressAndLoad(page, 'Enter');
    await tabTo(page, `a[href="/n/${HOOD}/members?pending=1"]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(pathOf(page), `/n/${HOOD}/members?pending=1`);
    const action = await actionOfRow(page, NEW_RESIDENT.email, '/confirm');
    assert.ok(action, `${NEW_RESIDENT.email} waits on the pending list with a confirm button`);
    await tabTo(page, `form[action="${action}"] button[type=submit]`);
    await pressAndLoad(page, 'Enter');
    assert.ok(await flashText(page), 'the members page confirms the confirmation');
    await page.goto(env.base + `/n/${HOOD}/members?pending=1`);
    assert.ok(!(await page.innerText('main')).includes(NEW_RESIDENT.email), 'the resident left the pending list');
    const np = env.newResident.page;
    await np.goto(env.base + `/n/${HOOD}`);
    assert.ok(await np.$('#inside-h'), 'once confirmed, the resident sees the residents\' part');
    await env.newResident.context.close();

    // She asked to be called: the confirmation waits on the call list; the connector calls her and
    // marks the call done.
    await page.goto(env.base + `/n/${HOOD}`);
    await tabTo(page, `main a[href="/n/${HOOD}/calls"]`);
    await pressAndLoad(page, 'Enter');
    const done = await actionOfCard(page, NEW_RESIDENT.name, '/done');
    assert.ok(done, `${NEW_RESIDENT.name} is on the call list`);
    await env.scan(page, 'connector', 'calls-waiting');
    await tabTo(page, `form[action="${done}"] button[type=submit]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(await actionOfCard(page, NEW_RESIDENT.name, '/done'), null, 'the call is done');
  });

  test('a resident who wants letters is confirmed; the coordinator prints the letter, by keyboard', async () => {
    // Another new resident wants her messages on paper.
    const { context, page } = await registerResident(env, LETTER_RESIDENT);
    await page.goto(env.base + '/account');
    await chooseChannel(page, 'letter');
    await keyboardLogout(page, env.base);
    await context.close();

    const con = (await env.session('connector')).page;
    await con.goto(env.base + `/n/${HOOD}/members?pending=1`);
    const action = await actionOfRow(con, LETTER_RESIDENT.email, '/confirm');
    assert.ok(action, `${LETTER_RESIDENT.email} waits for confirmation`);
    await tabTo(con, `form[action="${action}"] button[type=submit]`);
    await pressAndLoad(con, 'Enter');

    const { page: co } = await env.session('coordinator');
    await co.goto(env.base + `/n/${HOOD}`);
    await tabTo(co, `main a[href="/n/${HOOD}/letters"]`);
    await pressAndLoad(co, 'Enter');
    assert.ok((await co.innerText('main')).includes(LETTER_RESIDENT.name), 'the letter waits to be printed');
    await env.scan(co, 'coordinator', 'letters-waiting');
    await tabTo(co, `form[action="/n/${HOOD}/letters/print"] button[type=submit]`);
    await pressAndLoad(co, 'Enter');
    assert.ok(await co.$('main article.letter'), 'the print page shows the letter');
    assert.ok((await co.innerText('main')).includes(LETTER_RESIDENT.name), 'addressed to her');
    await env.scan(co, 'coordinator', 'letters-print');
    await tabTo(co, `main a[href="/n/${HOOD}/letters"]`);
    await pressAndLoad(co, 'Enter');
    assert.ok(!(await co.innerText('main')).includes(LETTER_RESIDENT.name), 'a printed letter is not printed twice');
  });

  test('the coordinator adds a member without e-mail and prints a login code, by keyboard', async () => {
    const { page } = await env.session('coordinator');
    await page.goto(env.base + `/n/${HOOD}/members`);
    await tabTo(page, `main a[href="/n/${HOOD}/members/new"]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(pathOf(page), `/n/${HOOD}/members/new`);
    await typeInto(page, '#display_name', NO_EMAIL.name);
    await tabTo(page, '#email');
    await typeInto(page, '#username', NO_EMAIL.username);
    await tabTo(page, '#role');
    assert.equal(await page.$eval('#role', (s) => s.value), 'resident', 'a new member is a resident unless chosen otherwise');
    await tabTo(page, `form[action="/n/${HOOD}/members"] button[type=submit]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(pathOf(page), `/n/${HOOD}/members`, `adding ends on the member list, not ${page.url()}`);
    assert.ok(await flashText(page), 'the member list confirms the new member');
    // Find the new member's row, following "Next page" by keyboard when the list is long.
    let action = null;
    for (let i = 0; i < 20 && !action; i++) {
      action = await actionOfRow(page, NO_EMAIL.username, '/code');
      if (!action) {
        assert.ok(await page.$('.pager a[href*="page="]:last-child'), `${NO_EMAIL.username} is on no page of the list`);
        await tabTo(page, '.pager a[href*="page="]:last-child');
        await pressAndLoad(page, 'Enter');
      }
    }
    assert.ok(action, `${NO_EMAIL.username} has a "Print login code" button`);
    await tabTo(page, `form[action="${action}"] button[type=submit]`);
    await pressAndLoad(page, 'Enter');
    const code = (await page.innerText('main .code')).trim();
    assert.match(code, /^[A-Z0-9-]{6,}$/, `the page shows a login code, not "${code}"`);
    assert.ok((await page.innerText('main')).includes(NO_EMAIL.username), 'the code page names the username');
    await env.scan(page, 'coordinator', 'login-code-printed');
    env.loginCode = code;
  });

  test('the new member logs in with the code, switches to English, reads a message and logs out, by keyboard', async () => {
    assert.ok(env.loginCode, 'the coordinator printed a code');
    const context = await env.browser.newContext(CONTEXT);
    const page = await context.newPage();
    await page.goto(env.base + '/login');
    await tabTo(page, 'main a[href="/login/code"]');
    await pressAndLoad(page, 'Enter');
    // People type codes as they read them: small letters work too.
    await typeInto(page, '#code', env.loginCode.toLowerCase());
    await tabTo(page, 'form[action="/login/code"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/account', `the code logs in and opens the account page, not ${page.url()}`);
    assert.ok((await page.innerText('main')).includes(NO_EMAIL.username), 'the account page shows the username');
    assert.equal(await page.getAttribute('html', 'lang'), 'nl', 'the page starts in Dutch');

    // Language: Tab to the account form's select, type to choose, Tab to Save, Enter.
    await page.goto(env.base + '/account');
    await tabTo(page, '#lang');
    await page.keyboard.type('English');
    assert.equal(await page.$eval('#lang', (s) => s.value), 'en', 'typing chooses English in the select');
    await tabTo(page, 'form[action="/account"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the page is now in English');
    assert.equal((await page.innerText('main h1')).trim(), 'My account');
    await env.scan(page, 'new-member', 'account-english');

    // Messages: the "Welkom in Binnenstad" of being added; the outbox may need a moment.
    let link = null;
    for (let i = 0; i < 50 && !link; i++) {
      await page.goto(env.base + '/');
      await tabTo(page, 'nav a[href="/messages"]');
      await pressAndLoad(page, 'Enter');
      link = await page.$('ul.messages a[href^="/messages/"]');
      if (!link) await page.waitForTimeout(200);
    }
    assert.ok(link, 'the new member has a message');
    const href = await link.getAttribute('href');
    const subject = (await link.innerText()).replace(/^New:\s*/, '').trim();
    await tabTo(page, `ul.messages a[href="${href}"]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, href);
    assert.equal((await page.innerText('main h1')).trim(), subject, 'the message page shows the subject');
    await tabTo(page, 'main a[href="/messages"]');
    await pressAndLoad(page, 'Enter');
    assert.equal(await page.$(`ul.messages li.unread a[href="${href}"]`), null, 'the message read is no longer marked new');

    await keyboardLogout(page, env.base);
    await context.close();
  });

  test('the partner switches on the second step and logs in with a recovery code, by keyboard', async () => {
    const { page } = await env.session('partner');
    await page.goto(env.base + '/account');
    await tabTo(page, 'main a[href="/account/totp"]');
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/account/totp');
    await tabTo(page, 'form[action="/account/totp/begin"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    const secret = (await page.innerText('main code.code')).trim();
    assert.match(secret, /^[A-Z2-7 ]{16,}$/, `the set-up page shows a base32 key, not "${secret}"`);
    await env.scan(page, 'partner', 'totp-setup');
    // Like a person, do not type a code that is about to expire: wait for a fresh 30-second step.
    const left = 30000 - (Date.now() % 30000);
    if (left < 6000) await page.waitForTimeout(left + 300);
    await typeInto(page, '#code', totp(secret));
    await tabTo(page, 'form[action="/account/totp/enable"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    const codes = await page.$$eval('main .recovery code', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(codes.length >= 5, `the page lists recovery codes, not ${JSON.stringify(codes)}`);
    await env.scan(page, 'partner', 'totp-recovery-codes');
    await tabTo(page, 'main a[href="/account"]');
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/account');

    // A new browser: the password alone is not enough; a recovery code finishes the login.
    const context = await env.browser.newContext(CONTEXT);
    const p2 = await context.newPage();
    await keyboardLogin(p2, env.base, EMAIL.partner);
    assert.equal(new URL(p2.url()).pathname, '/login/totp', `after the password comes the second step, not ${p2.url()}`);
    assert.equal(await p2.$('form[action="/logout"]'), null, 'not logged in yet');
    await env.scan(p2, 'partner', 'login-totp');
    await typeInto(p2, '#code', codes[0]);
    await tabTo(p2, 'form[action="/login/totp"] button[type=submit]');
    await pressAndLoad(p2, 'Enter');
    assert.equal(new URL(p2.url()).pathname, '/', `the recovery code logs in, not ${p2.url()}`);
    assert.ok(await p2.$('form[action="/logout"]'), 'logged in with the second step');
    await keyboardLogout(p2, env.base);
    await context.close();
  });

  test('a resident signs up for a citizens\' panel with the code from the letter, by keyboard', async () => {
    // Demo panel 2 is in stage 1; DEMB-2345 is its second printed demo code (src/panels/web_demo.c).
    const context = await env.browser.newContext(CONTEXT);
    const page = await context.newPage();
    await page.goto(env.base + '/panel/signup');
    await typeInto(page, '#code', 'demb 2345'); // as typed from a letter: lower case, a space
    await tabTo(page, 'form[action="/panel/signup"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    const groups = await page.$$eval('main input[type=radio]', (rs) => [...new Set(rs.map((r) => r.name))]);
    assert.ok(groups.length >= 2, `the code opens the panel's questions, not ${page.url()}`);
    for (const name of groups) {
      // Tab enters the group on its first answer; the arrow key moves to, and picks, the second.
      await tabTo(page, `input[name="${name}"]`);
      await page.keyboard.press('ArrowDown');
      const picked = await page.$$eval(`input[name="${name}"]`, (rs) => rs.findIndex((r) => r.checked));
      assert.equal(picked, 1, `the arrow key picked the second answer of ${name}`);
    }
    await typeInto(page, '#name', 'Sanne Bakker');
    await typeInto(page, '#phone', '06 12345678');
    await tabTo(page, '#consent');
    await page.keyboard.press('Space');
    assert.ok(await page.$eval('#consent', (c) => c.checked), 'Space ticks the consent box');
    await tabTo(page, 'main form button[type=submit]');
    await pressAndLoad(page, 'Enter');
    const status = await page.innerText('main [role=status]');
    assert.ok(status.includes('Burgertop'), `the sign-up is confirmed: ${status}`);
    await env.scan(page, 'anon', 'panel-signup-thanks');
    // The same code a second time: refused, with a message on the page.
    await page.goto(env.base + '/panel/signup?code=DEMB-2345');
    assert.ok(await page.$('main .error-box'), 'a used code is refused with a message');
    await context.close();
  });

  test('without JavaScript: log in, open pages, read a message, log out', async () => {
    const context = await env.browser.newContext({ ...CONTEXT, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(env.base + '/login');
    assert.equal(await page.$('script'), null, 'pages carry no script');
    await typeInto(page, '#login', EMAIL.resident);
    await typeInto(page, '#password', PASSWORD);
    await tabTo(page, 'form[action="/login"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok(await page.$('form[action="/logout"]'), 'logged in without JavaScript');
    for (const p of ['/account', `/n/${HOOD}`, '/messages']) {
      const res = await page.goto(env.base + p);
      assert.equal(res.status(), 200, `${p} without JavaScript`);
    }
    const href = await page.getAttribute('ul.messages a[href^="/messages/"]', 'href');
    assert.ok(href, 'the resident has messages');
    await tabTo(page, `ul.messages a[href="${href}"]`);
    await pressAndLoad(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, href);
    // A form that posts back: the language switch in the header.
    await page.goto(env.base + '/account');
    await tabTo(page, '#lang-choice');
    await page.keyboard.type('English');
    await tabTo(page, 'form[action="/language"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the header language switch works without JavaScript');
    await tabTo(page, '#lang-choice');
    await page.keyboard.type('Nederlands');
    await tabTo(page, 'form[action="/language"] button[type=submit]');
    await pressAndLoad(page, 'Enter');
    assert.equal(await page.getAttribute('html', 'lang'), 'nl', 'and back to Dutch');
    await keyboardLogout(page, env.base);
    await context.close();
  });
}
