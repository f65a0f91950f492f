// package.json is a second copy of facts the code also states (command ids, setting names, the MCP
// provider id, the VS Code version). These tests keep the two copies equal.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { CLIENT_COMMANDS } from '../src/commands';
import { MCP_PROVIDER_ID } from '../src/mcp';
import { SERVER_COMMANDS } from '../src/protocol';
import { PROFILES, SECTION, SETTING_KEYS } from '../src/settings';
import { FakeEditor, installFakes } from './fakeVscode';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
const properties: Record<string, { description?: string; markdownDescription?: string; enum?: string[]; default?: unknown }> =
    pkg.contributes.configuration.properties;

function minVersion(range: string): [number, number] {
    const m = /^[\^~>=]*(\d+)\.(\d+)\.\d+$/.exec(range);
    assert.ok(m, `unexpected version range ${range}`);
    return [Number(m[1]), Number(m[2])];
}

test('contributed commands are exactly the ones the code registers, with palette titles', () => {
    assert.deepEqual([...contributed].sort(), Object.values(CLIENT_COMMANDS).sort());
    for (const c of pkg.contributes.commands) {
        assert.equal(c.category, 'autoskill');
        assert.ok(c.title.length > 0);
    }
    for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
        for (const e of entries) { assert.ok(contributed.includes(e.command), `${menu} names unknown command ${e.command}`); }
    }
});

test('client command ids and server command ids are disjoint', () => {
    for (const id of Object.values(SERVER_COMMANDS)) {
        assert.ok(!contributed.includes(id), `${id} is the server's; vscode-languageclient registers it already`);
    }
});

test('activation events cover SKILL.md workspaces, every command and the MCP provider', () => {
    const events: string[] = pkg.activationEvents;
    assert.ok(events.includes('workspaceContains:**/SKILL.md'));
    for (const id of contributed) { assert.ok(events.includes(`onCommand:${id}`), `missing onCommand:${id}`); }
    assert.ok(events.includes(`onMcpCollection:${MCP_PROVIDER_ID}`));
    assert.ok(!events.includes('*'), 'no eager activation');
});

test('the MCP provider id in package.json is the one the code registers', () => {
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders.map((p: { id: string }) => p.id), [MCP_PROVIDER_ID]);
});

test('every setting the code reads is contributed with a description, and none is left unread', () => {
    const read = new Set(SETTING_KEYS.map((k) => `${SECTION}.${k}`));
    read.add(`${SECTION}.trace.server`); // read by vscode-languageclient for client id "autoskill"
    assert.deepEqual(Object.keys(properties).sort(), [...read].sort());
    for (const [key, p] of Object.entries(properties)) {
        assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `${key} needs a description`);
    }
    assert.deepEqual(properties['autoskill.profile'].enum, [...PROFILES]);
    assert.equal(properties['autoskill.profile'].default, 'auto');
    assert.deepEqual(properties['autoskill.trace.server'].enum, ['off', 'messages', 'verbose']);
});

test('every autoskill.* name written in the source is a known command or setting', () => {
    const known = new Set([...contributed, ...Object.values(SERVER_COMMANDS), ...Object.keys(properties)]);
    const srcDir = path.join(root, 'src');
    for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
        const text = fs.readFileSync(path.join(srcDir, file), 'utf8');
        for (const m of text.matchAll(/(?:['"`(\s]autoskill|\$\{SECTION\})\.([a-zA-Z]+(?:\.[a-zA-Z]+)*)/g)) {
            const name = `autoskill.${m[1]}`;
            assert.ok(known.has(name), `${file} mentions ${name}, which package.json does not define`);
        }
    }
});

test('engines.vscode equals the @types/vscode version and satisfies vscode-languageclient', () => {
    const engine = minVersion(pkg.engines.vscode);
    assert.deepEqual(minVersion(pkg.devDependencies['@types/vscode']), engine);
    const lc = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'));
    const needed = minVersion(lc.engines.vscode);
    assert.ok(engine[0] > needed[0] || (engine[0] === needed[0] && engine[1] >= needed[1]),
        `vscode-languageclient ${lc.version} needs VS Code ${lc.engines.vscode}, engines says ${pkg.engines.vscode}`);
});

test('main is the esbuild bundle, and the bundle activates on its own', async () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.match(pkg.scripts.build, /--outfile=dist\/extension\.js(\s|$)/);
    assert.match(pkg.scripts.build, /--external:vscode(\s|$)/);
    const bundle = path.join(root, pkg.main);
    assert.ok(fs.existsSync(bundle), `${bundle} is missing: run \`npm run build\` first`);
    const editor = new FakeEditor();
    installFakes(editor.module(true)); // only `vscode` is faked: the bundled language client is the real one
    const ext = require(bundle);
    await ext.activate({ subscriptions: [], extension: { packageJSON: pkg } });
    assert.deepEqual([...editor.commands.keys()].sort(), [...contributed].sort());
    assert.deepEqual([...editor.mcpProviders.keys()], [MCP_PROVIDER_ID]);
    await ext.deactivate();
});

test('the package holds only the bundle, the manifest, README and LICENSE', () => {
    const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
    const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
        .split(/\r?\n/).filter((l) => l.trim() !== '').sort();
    assert.deepEqual(files, ['LICENSE', 'README.md', 'dist/extension.js', 'package.json']);
});
