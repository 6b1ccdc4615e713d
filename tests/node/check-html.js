#!/usr/bin/env node
// Loads an escgate HTML page in headless Chromium (Debian's, through
// playwright-core: no browser is downloaded) and prints what a reader
// sees, as one JSON document, for tests/e2e/t_html.sh to check.
//
// Usage: node check-html.js report|history FILE [--no-js] [--screenshot PNG]
//   report   the html report: its lenses (where they are drawn and above
//            which line), what expanding a flow shows, where clicking a
//            step scrolls to
//   history  the history page: its charts and commit table
// Both record console errors, uncaught exceptions, dialogs and every
// request that is not the file itself.
//
// Exit status: 0 facts printed; 2 setup (no playwright-core, no browser).
// ESCGATE_CHROMIUM names the browser (default /usr/bin/chromium).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const url = require('url');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function reportFacts(page) {
	return page.evaluate(() => {
		const rect = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: r.height, width: r.width }; };
		const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
		const lenses = [...document.querySelectorAll('tr.lens')].map((lens) => {
			// the line a lens annotates is the first source row after it
			let row = lens.nextElementSibling;
			while (row && !row.classList.contains('line')) row = row.nextElementSibling;
			const section = lens.closest('section.file');
			return {
				id: lens.id,
				status: lens.dataset.status,
				kind: lens.dataset.kind,
				line: Number(lens.dataset.line),
				text: lens.querySelector('.lensbody').innerText.split('\n')[0],
				visible: visible(lens.querySelector('.tag')),
				annotates: row ? Number(row.dataset.line) : null,
				annotatedClass: row ? row.className : null,
				annotatedText: row ? row.querySelector('td.src').textContent : null,
				above: row ? rect(lens).bottom <= rect(row).top + 0.5 : false,
				adjacentGap: row ? rect(row).top - rect(lens).bottom : null,
				path: section ? section.querySelector('h3 code.path').textContent : null,
				steps: lens.querySelectorAll('details.flow li').length,
			};
		});
		return {
			title: document.title,
			verdict: (document.getElementById('verdict') || {}).textContent || null,
			counts: [...document.querySelectorAll('#counts li')].map((li) => li.textContent),
			controlsShown: !!document.getElementById('controls') && !document.getElementById('controls').hidden,
			paths: [...document.querySelectorAll('section.file h3 code.path')].map((c) => c.textContent),
			sides: [...document.querySelectorAll('section.file h3 .side')].map((c) => c.textContent),
			lenses,
			packages: [...document.querySelectorAll('table.pkgs tbody tr, table.pkgs tfoot tr')].map(
				(tr) => [...tr.cells].map((td) => td.textContent)),
			elements: {
				img: document.querySelectorAll('img').length,
				b: document.querySelectorAll('td.src b, code b, h3 b').length,
				scripts: document.querySelectorAll('script').length,
				ctl: [...document.querySelectorAll('.ctl')].map((c) => c.textContent),
			},
		};
	});
}

// Expands the first flow of a lens with the given status (a click on its
// summary, as a reader would), then clicks its last step's link.
async function exerciseFlow(page, status) {
	const lens = page.locator(`tr.lens[data-status="${status}"]`).first();
	if (await lens.count() === 0)
		return null;
	const details = lens.locator('details.flow').first();
	if (await details.count() === 0)
		return { flow: false };
	const before = await details.locator('li').first().isVisible();
	await details.locator('summary').click();
	const open = await details.evaluate((d) => d.open);
	const steps = await details.locator('li').evaluateAll((lis) => lis.map((li) => ({
		text: li.innerText, visible: li.getBoundingClientRect().height > 0,
		href: (li.querySelector('a.pos') || {}).getAttribute ? li.querySelector('a.pos').getAttribute('href') : null,
	})));
	let clicked = null;
	const link = details.locator('a.pos').last();
	if (await link.count()) {
		// scroll away first, so that following the link has to scroll back
		await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
		await link.click();
		await page.waitForTimeout(900);   // smooth scrolling, where the reader allows motion
		clicked = await page.evaluate(() => {
			const t = document.getElementById(location.hash.slice(1));
			if (!t) return { hash: location.hash, found: false };
			const r = t.getBoundingClientRect();
			return { hash: location.hash, found: true, line: Number(t.dataset.line),
				inView: r.top >= 0 && r.bottom <= window.innerHeight, highlighted: t.matches(':target') };
		});
	}
	return { flow: true, visibleBefore: before, open, steps, clicked };
}

async function historyFacts(page) {
	return page.evaluate(() => ({
		title: document.title,
		charts: [...document.querySelectorAll('figure.chart')].map((f) => {
			const svg = f.querySelector('svg.plot');
			const r = svg.getBoundingClientRect();
			return {
				id: f.id,
				width: r.width, height: r.height,
				points: svg.querySelectorAll('circle.s0').length,
				series: svg.querySelectorAll('path.ser').length,
				gaps: [...svg.querySelectorAll('rect.gapband')].map((g) => g.dataset.commit),
				titles: [...svg.querySelectorAll('circle.s0 title')].map((t) => t.textContent),
				legend: [...f.querySelectorAll('ul.legend li')].map((li) => li.textContent),
			};
		}),
		rows: [...document.querySelectorAll('table.commits tbody tr')].map((tr) => ({
			commit: tr.dataset.commit, gap: tr.classList.contains('gap'),
			cells: [...tr.cells].map((td) => td.textContent),
		})),
		elements: { img: document.querySelectorAll('img').length, b: document.querySelectorAll('td b').length },
	}));
}

async function main(argv) {
	const [mode, file, ...rest] = argv;
	const noJs = rest.includes('--no-js');
	const shotAt = rest.indexOf('--screenshot');
	const shot = shotAt >= 0 ? rest[shotAt + 1] : null;
	if (!['report', 'history'].includes(mode) || !file) {
		console.error('usage: node check-html.js report|history FILE [--no-js] [--screenshot PNG]');
		return 2;
	}
	let chromium;
	try {
		({ chromium } = require('playwright-core'));
	} catch (e) {
		console.error('check-html: ' + e.message + ' (run npm ci in tests/node)');
		return 2;
	}
	const executablePath = process.env.ESCGATE_CHROMIUM || '/usr/bin/chromium';
	if (!fs.existsSync(executablePath)) {
		console.error('check-html: no browser at ' + executablePath);
		return 2;
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'escgate-chromium-'));
	let context;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath, headless: true, args: FLAGS, javaScriptEnabled: !noJs,
			viewport: { width: 1100, height: 800 }, reducedMotion: 'reduce',
		});
	} catch (e) {
		console.error('check-html: cannot start ' + executablePath + ': ' + e.message.split('\n')[0]);
		fs.rmSync(profile, { recursive: true, force: true });
		return 2;
	}
	const facts = { errors: [], requests: [], dialogs: [] };
	try {
		const page = context.pages()[0] || await context.newPage();
		const self = url.pathToFileURL(path.resolve(file)).href;
		page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') facts.errors.push(m.type() + ': ' + m.text()); });
		page.on('pageerror', (e) => facts.errors.push('exception: ' + e.message));
		page.on('dialog', (d) => { facts.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
		context.on('request', (r) => { if (r.url().split('#')[0] !== self) facts.requests.push(r.url()); });
		await page.goto(self, { waitUntil: 'load' });
		if (mode === 'report') {
			Object.assign(facts, await reportFacts(page));
			facts.newFlow = await exerciseFlow(page, 'new');
			facts.fixedFlow = await exerciseFlow(page, 'fixed');
		} else {
			Object.assign(facts, await historyFacts(page));
		}
		if (shot) {
			// as a reader first sees it, with the last new finding's flow open
			await page.goto(self, { waitUntil: 'load' });
			const flow = page.locator('tr.lens[data-status="new"] details.flow').last();
			if (mode === 'report' && await flow.count())
				await flow.locator('summary').click();
			await page.evaluate(() => window.scrollTo(0, 0));
			await page.screenshot({ path: shot, fullPage: true });
		}
		await page.waitForTimeout(100);
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
	process.stdout.write(JSON.stringify(facts, null, 1) + '\n');
	return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
	console.error('check-html: ' + (e && e.stack || e));
	process.exitCode = 2;
});
