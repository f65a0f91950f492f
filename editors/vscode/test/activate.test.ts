// activate() against the in-memory `vscode` (see fakeVscode.ts) and a recording language client.
// The `import autoskill_mcp` check runs a real Python: a fresh venv, with PYTHONPATH pointing at a
// small autoskill_mcp package (the recording client never starts the server itself).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { SERVER_COMMANDS } from '../src/protocol';
import { emptyVenvPython, siteWithAutoskill, tempDir } from './pythonEnv';
import { EventEmitter, FakeEditor, fakeLanguageClientModule, freshExtension, installFakes, Uri, type ClientRecord, type ServerBehaviour } from './fakeVscode';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributedCommands: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

const python = emptyVenvPython();

interface Harness {
    editor: FakeEditor;
    clients: ClientRecord[];
    ext: ReturnType<typeof freshExtension>;
    context: { subscriptions: { dispose(): unknown }[]; extension: { packageJSON: unknown } };
    setServer(b: ServerBehaviour): void;
}

async function activated(opts: { withMcp?: boolean; settings?: Record<string, unknown>; prepare?: (e: FakeEditor) => void } = {}): Promise<Harness> {
    const editor = new FakeEditor();
    editor.settings = { 'autoskill.pythonPath': python, ...opts.settings };
    opts.prepare?.(editor);
    const clients: ClientRecord[] = [];
    let behaviour: ServerBehaviour = async () => null;
    installFakes(editor.module(opts.withMcp ?? true), fakeLanguageClientModule(clients, () => behaviour));
    const ext = freshExtension();
    const context = { subscriptions: [] as { dispose(): unknown }[], extension: { packageJSON: manifest } };
    await ext.activate(context);
    return { editor, clients, ext, context, setServer: (b) => { behaviour = b; } };
}

async function until(what: string, cond: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !cond(); i++) {
        await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(cond(), `gave up waiting for: ${what}`);
}

async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) { await new Promise((r) => setImmediate(r)); }
}

const savedPythonPath = process.env.PYTHONPATH;
process.env.PYTHONPATH = siteWithAutoskill(); // inherited by the import check, as the extension host's env would be
process.on('exit', () => { process.env.PYTHONPATH = savedPythonPath; });

test('activate registers exactly the contributed commands and the MCP provider id', async () => {
    const h = await activated();
    assert.deepEqual([...h.editor.commands.keys()].sort(), [...contributedCommands].sort());
    assert.deepEqual([...h.editor.mcpProviders.keys()], manifest.contributes.mcpServerDefinitionProviders.map((p: { id: string }) => p.id));
    await h.ext.deactivate();
});

test('on VS Code without the MCP API (before 1.101) activation still works', async () => {
    const h = await activated({ withMcp: false });
    assert.deepEqual([...h.editor.commands.keys()].sort(), [...contributedCommands].sort());
    assert.equal(h.editor.mcpProviders.size, 0);
    await h.ext.deactivate();
});

test('the language server is not started in a workspace without SKILL.md, and starts when one opens', async () => {
    const h = await activated({ settings: { 'autoskill.home': '/data/skills', 'autoskill.profile': 'spec' } });
    await settle();
    assert.equal(h.clients.length, 0);
    h.editor.documentOpened.fire({ uri: Uri.file('/r/README.md') });
    await settle();
    assert.equal(h.clients.length, 0);
    h.editor.documentOpened.fire({ uri: Uri.file('/r/skills/pdf/SKILL.md') });
    await until('the client starts', () => h.clients.length === 1 && h.clients[0].started);
    const c = h.clients[0];
    assert.equal(c.id, 'autoskill');
    assert.equal(c.serverOptions.command, python);
    assert.deepEqual(c.serverOptions.args, ['-m', 'autoskill_mcp', 'lsp']);
    assert.deepEqual(c.serverOptions.options.env, { PYTHONUNBUFFERED: '1', AUTOSKILL_HOME: '/data/skills' });
    assert.deepEqual(c.clientOptions.documentSelector, [{ scheme: 'file', pattern: '**/SKILL.md' }, { scheme: 'untitled', pattern: '**/SKILL.md' }]);
    assert.deepEqual(c.clientOptions.initializationOptions, { home: '/data/skills', user: null, profile: 'spec' });
    await h.ext.deactivate();
    assert.equal(c.stopped, true);
});

test('a workspace containing a SKILL.md starts the server at activation', async () => {
    const h = await activated({ prepare: (e) => { e.workspaceFiles = [Uri.file('/r/skills/a/SKILL.md')]; } });
    await until('the client starts', () => h.clients.length === 1 && h.clients[0].started);
    await h.ext.deactivate();
});

test('palette commands go to the server under its own command ids', async () => {
    const h = await activated();
    h.setServer(async (command, args) => {
        if (command === SERVER_COMMANDS.saveToStore) { return { id: 'u/pdf', name: 'pdf', version: '0.1.0', action: 'created', path: null }; }
        throw new Error(`unexpected ${command} ${JSON.stringify(args)}`);
    });
    h.editor.activeDocument = { uri: Uri.file('/r/skills/pdf/SKILL.md') };
    await h.editor.commands.get('autoskill.save')!();
    assert.equal(h.clients.length, 1, 'the command started the server on demand');
    assert.deepEqual(h.clients[0].requests, [{ method: 'workspace/executeCommand',
        params: { command: 'autoskill.saveToStore', arguments: ['file:///r/skills/pdf/SKILL.md'] } }]);
    assert.deepEqual(h.editor.shown, [{ kind: 'info', message: 'Saved pdf v0.1.0 (created)', items: [] }]);
    await h.ext.deactivate();
});

test('changing a setting restarts the running server with the new options and refreshes MCP', async () => {
    const h = await activated({ prepare: (e) => { e.workspaceFiles = [Uri.file('/r/a/SKILL.md')]; } });
    await until('the client starts', () => h.clients.length === 1 && h.clients[0].started);
    const provider = h.editor.mcpProviders.get('autoskill') as { onDidChangeMcpServerDefinitions(l: () => void): unknown;
        provideMcpServerDefinitions(t: unknown): Promise<{ env: Record<string, string> }[]> };
    let mcpChanges = 0;
    provider.onDidChangeMcpServerDefinitions(() => { mcpChanges++; });
    h.editor.changeSettings({ 'autoskill.user': 'ann' });
    await until('a second client starts', () => h.clients.length === 2 && h.clients[1].started);
    assert.equal(h.clients[0].stopped, true);
    assert.deepEqual(h.clients[1].clientOptions.initializationOptions, { home: null, user: 'ann', profile: 'auto' });
    assert.equal(mcpChanges, 1);
    const [def] = await provider.provideMcpServerDefinitions(undefined);
    assert.equal(def.env.AUTOSKILL_USER, 'ann');
    h.editor.changeSettings({ 'editor.fontSize': 20 });
    await settle();
    assert.equal(mcpChanges, 1, 'other sections are ignored');
    await h.ext.deactivate();
});

test('without autoskill.pythonPath the Python extension interpreter is used and followed', async () => {
    const changed = new EventEmitter<void>();
    let current = python;
    const pythonExtension = {
        ready: Promise.resolve(),
        environments: {
            getActiveEnvironmentPath: () => ({ id: 'active', path: current }),
            resolveEnvironment: async (env: { path: string }) => ({ executable: { uri: Uri.file(env.path) } }),
            onDidChangeActiveEnvironmentPath: changed.event,
        },
    };
    const h = await activated({
        settings: { 'autoskill.pythonPath': '' },
        prepare: (e) => {
            e.workspaceFiles = [Uri.file('/r/a/SKILL.md')];
            e.extensions.set('ms-python.python', { isActive: false, exports: undefined, activate: async () => pythonExtension });
        },
    });
    await until('the client starts', () => h.clients.length === 1 && h.clients[0].started);
    assert.equal(h.clients[0].serverOptions.command, python);
    // The user picks another interpreter in the Python extension: the server follows.
    const other = emptyVenvPython();
    current = other;
    changed.fire();
    await until('a second client starts', () => h.clients.length === 2 && h.clients[1].started);
    assert.equal(h.clients[1].serverOptions.command, other);
    await h.ext.deactivate();
});

test('a Python without autoskill_mcp gets an actionable error and no server', async () => {
    const h = await activated({ settings: { 'autoskill.pythonPath': python } });
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = tempDir();
    process.env.PYTHONSAFEPATH = '1';
    try {
        h.editor.activeDocument = { uri: Uri.file('/r/a/SKILL.md') };
        await h.editor.commands.get('autoskill.save')!();
    } finally {
        process.env.PYTHONPATH = saved;
        delete process.env.PYTHONSAFEPATH;
    }
    assert.equal(h.clients.length, 0);
    const errors = h.editor.shown.filter((s) => s.kind === 'error');
    assert.equal(errors.length, 2, JSON.stringify(errors));
    assert.ok(errors[0].message.includes(`${python} -m pip install -e <path to your autoskill-mcp clone>`), errors[0].message);
    assert.deepEqual(errors[0].items, ['Copy install command', 'Open Settings']);
    assert.match(errors[1].message, /saving to the store failed: the language server is not running/);
    await h.ext.deactivate();
});

test('a pythonPath that does not exist is reported by name', async () => {
    const h = await activated({ settings: { 'autoskill.pythonPath': '/nowhere/python' } });
    h.editor.inputAnswers = ['x'];
    await h.editor.commands.get('autoskill.search')!();
    assert.equal(h.clients.length, 0);
    assert.ok(h.editor.shown.some((s) => s.kind === 'error' && s.message.includes('"/nowhere/python"')), JSON.stringify(h.editor.shown));
    await h.ext.deactivate();
});

test('the server commands vscode-languageclient auto-registers do not collide with ours', async () => {
    // The real ExecuteCommandFeature registers one VS Code command per id the server advertises.
    require('vscode-languageserver-protocol/node'); // installs the runtime it uses for ids
    const h = await activated();
    const { ExecuteCommandFeature } = require('vscode-languageclient/$test/common/executeCommand');
    const fakeClient = { middleware: {}, sendRequest: async () => null, handleFailedRequest: () => null };
    const feature = new ExecuteCommandFeature(fakeClient);
    const serverIds = Object.values(SERVER_COMMANDS);
    feature.initialize({ executeCommandProvider: { commands: serverIds } });
    for (const id of serverIds) {
        assert.ok(h.editor.commands.has(id), `${id} registered by the language client`);
        assert.ok(!contributedCommands.includes(id), `${id} must not be a contributed (client) command`);
    }
    // Had the extension used the server's ids, VS Code would refuse the second registration:
    const clash = new FakeEditor();
    installFakes(clash.module(true));
    const { ExecuteCommandFeature: Fresh } = requireFresh('vscode-languageclient/$test/common/executeCommand');
    (clash.module(true).commands as { registerCommand(id: string, f: () => void): unknown }).registerCommand(SERVER_COMMANDS.searchSkills, () => {});
    assert.throws(() => new Fresh(fakeClient).initialize({ executeCommandProvider: { commands: serverIds } }), /already exists/);
    await h.ext.deactivate();
});

function requireFresh(id: string) {
    const resolved = require.resolve(id);
    delete require.cache[resolved];
    return require(resolved);
}
