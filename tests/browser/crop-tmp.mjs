import { launchBrowser } from './harness.mjs';
import fs from 'node:fs';
const [src, dst, y, h] = process.argv.slice(2);
const b = await launchBrowser();
const p = await b.newPage({ viewport: { width: 390, height: Number(h) } });
await p.setContent(`<body style="margin:0"><img style="display:block;margin-top:-${y}px" src="data:image/png;base64,${fs.readFileSync(src).toString('base64')}">`);
await p.screenshot({ path: dst });
await b.close();
